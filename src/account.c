/*
 * account.c - organisations, users, passwords, secrets, times and audit
 * entries as values (see account.h).  No database here: store_account.h.
 */
#include "account.h"
#include "kerr.h"
#include "utf8.h"

#include <argon2.h>
#include <ctype.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <utf8proc.h>

static void freep(char **p)
{
	free(*p);
	*p = NULL;
}

/* ---- organisations and sectors ----------------------------------------- */

static const char *const kind_names[KORG__N] = { "operator", "ministry", "centre", "other" };

const char *korg_kind_name(enum korg_kind kind)
{
	return (int)kind >= 0 && kind < KORG__N ? kind_names[kind] : NULL;
}

int korg_kind_parse(const char *s)
{
	for (int i = 0; s && i < KORG__N; i++)
		if (!strcmp(s, kind_names[i]))
			return i;
	return -1;
}

const char *const ksector_tags[KSECTOR_N] = {
	"telecom", "finance", "aviation", "airport", "railway", "electricity", "gas", "government",
	"medical", "water", "logistics", "chemical", "credit", "petroleum", "port",
};

static const char *const sector_ja[KSECTOR_N] = {
	"情報通信", "金融", "航空", "空港", "鉄道", "電力", "ガス", "政府・行政サービス",
	"医療", "水道", "物流", "化学", "クレジット", "石油", "港湾",
};

const char *ksector_parse(const char *s)
{
	for (int i = 0; s && i < KSECTOR_N; i++)
		if (!strcmp(s, ksector_tags[i]) || !strcmp(s, sector_ja[i]))
			return ksector_tags[i];
	return NULL;
}

const char *ksector_label_ja(const char *tag)
{
	for (int i = 0; tag && i < KSECTOR_N; i++)
		if (!strcmp(tag, ksector_tags[i]))
			return sector_ja[i];
	return NULL;
}

static int sector_rank(const char *tag)
{
	for (int i = 0; i < KSECTOR_N; i++)
		if (!strcmp(tag, ksector_tags[i]))
			return i;
	return KSECTOR_N;
}

void korg_free(struct korg *o)
{
	free(o->name);
	for (size_t i = 0; i < o->nsectors && i < KREADER_MAX_SECTORS; i++)
		free(o->sectors[i]);
	free(o->created);
	memset(o, 0, sizeof(*o));
}

int korg_add_sector(struct korg *o, const char *sector, struct kerr *err)
{
	const char *tag = ksector_parse(sector);

	if (!tag)
		return kerr_set(err, KE_INVALID, "unknown sector \"%.*s\" (one of: telecom, finance, aviation, "
				"airport, railway, electricity, gas, government, medical, water, logistics, "
				"chemical, credit, petroleum, port, or its Japanese name)",
				sector ? kutf8_cut(sector, 64) : 0, sector ? sector : "");
	for (size_t i = 0; i < o->nsectors; i++)
		if (!strcmp(o->sectors[i], tag))
			return kerr_set(err, KE_EXISTS, "sector %s given twice", tag);
	if (o->nsectors >= KREADER_MAX_SECTORS)
		return kerr_set(err, KE_INVALID, "too many sectors");
	{
		/* in the order of ksector_tags */
		size_t at = o->nsectors;
		char *copy = strdup(tag);

		if (!copy)
			return kerr_set(err, KE_NOMEM, "out of memory");
		while (at > 0 && sector_rank(o->sectors[at - 1]) > sector_rank(tag)) {
			o->sectors[at] = o->sectors[at - 1];
			at--;
		}
		o->sectors[at] = copy;
		o->nsectors++;
	}
	return 0;
}

/* ---- text checks -------------------------------------------------------- */

/*
 * s as text: valid UTF-8, no control characters (C0, DEL, C1), its length
 * in characters into *nchars.  0 or KE_INVALID naming what.
 */
static int text_check(const char *s, const char *what, size_t *nchars, struct kerr *err)
{
	size_t len = strlen(s), n = 0;

	if (!kutf8_valid(s, len))
		return kerr_set(err, KE_INVALID, "%s is not valid UTF-8", what);
	for (size_t i = 0; i < len;) {
		uint32_t cp = 0;
		int l = kutf8_decode(s + i, len - i, &cp);

		if (l <= 0)
			return kerr_set(err, KE_INVALID, "%s is not valid UTF-8", what);
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029)
			return kerr_set(err, KE_INVALID, "%s contains a control character", what);
		i += (size_t)l;
		n++;
	}
	*nchars = n;
	return 0;
}

int klogin_check(const char *login, struct kerr *err)
{
	size_t n;

	if (!login || !*login)
		return kerr_set(err, KE_INVALID, "login name is empty");
	n = strlen(login);
	if (n > KLOGIN_MAX)
		return kerr_set(err, KE_INVALID, "login name is longer than %d characters", KLOGIN_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)login[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return kerr_set(err, KE_INVALID, "login name may contain only lower-case a-z, 0-9, '.', "
					"'_' and '-'");
	}
	if (!isalnum((unsigned char)login[0]))
		return kerr_set(err, KE_INVALID, "login name must start with a letter a-z or a digit");
	return 0;
}

int korg_name_check(const char *name, struct kerr *err)
{
	size_t n;
	int rc;

	if (!name || !*name)
		return kerr_set(err, KE_INVALID, "organisation name is empty");
	if (strlen(name) > 4 * KORG_NAME_MAX)
		return kerr_set(err, KE_INVALID, "organisation name is longer than %d characters", KORG_NAME_MAX);
	if ((rc = text_check(name, "organisation name", &n, err)))
		return rc;
	if (n > KORG_NAME_MAX)
		return kerr_set(err, KE_INVALID, "organisation name is longer than %d characters", KORG_NAME_MAX);
	if (strspn(name, " ") == strlen(name))
		return kerr_set(err, KE_INVALID, "organisation name is only spaces");
	if (name[0] == ' ' || name[strlen(name) - 1] == ' ')
		return kerr_set(err, KE_INVALID, "organisation name begins or ends with a space");
	return 0;
}

int kdisplay_name_check(const char *name, struct kerr *err)
{
	size_t n;
	int rc;

	if (!name)
		return 0;
	if (strlen(name) > 4 * KDISPLAY_NAME_MAX)
		return kerr_set(err, KE_INVALID, "display name is longer than %d characters", KDISPLAY_NAME_MAX);
	if ((rc = text_check(name, "display name", &n, err)))
		return rc;
	if (n > KDISPLAY_NAME_MAX)
		return kerr_set(err, KE_INVALID, "display name is longer than %d characters", KDISPLAY_NAME_MAX);
	return 0;
}

int kemail_check(const char *email, struct kerr *err)
{
	size_t n, len;
	const char *at;
	int rc;

	if (!email || !*email)
		return 0;
	len = strlen(email);
	if (len > KEMAIL_MAX)
		return kerr_set(err, KE_INVALID, "e-mail address is longer than %d bytes", KEMAIL_MAX);
	if ((rc = text_check(email, "e-mail address", &n, err)))
		return rc;
	at = strchr(email, '@');
	if (!at || at == email || !at[1] || strchr(at + 1, '@') || strpbrk(email, " \t<>()[],;:\\\""))
		return kerr_set(err, KE_INVALID, "e-mail address must be of the form name@domain, without "
				"spaces");
	if (!strchr(at + 1, '.') || at[1] == '.' || email[len - 1] == '.')
		return kerr_set(err, KE_INVALID, "e-mail address has no valid domain after '@'");
	return 0;
}

int korg_check(const struct korg *o, struct kerr *err)
{
	int rc;

	if ((rc = korg_name_check(o->name, err)))
		return rc;
	if (!korg_kind_name(o->kind))
		return kerr_set(err, KE_INVALID, "unknown organisation kind");
	if (o->nsectors > KREADER_MAX_SECTORS)
		return kerr_set(err, KE_INVALID, "too many sectors");
	for (size_t i = 0; i < o->nsectors; i++) {
		if (!o->sectors[i] || !ksector_parse(o->sectors[i]) || strcmp(ksector_parse(o->sectors[i]),
									      o->sectors[i]))
			return kerr_set(err, KE_INVALID, "unknown sector \"%.*s\"",
					o->sectors[i] ? kutf8_cut(o->sectors[i], 64) : 0,
					o->sectors[i] ? o->sectors[i] : "");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(o->sectors[i], o->sectors[j]))
				return kerr_set(err, KE_INVALID, "sector %s given twice", o->sectors[i]);
	}
	return 0;
}

/* ---- users -------------------------------------------------------------- */

void kuser_free(struct kuser *u)
{
	free(u->login);
	free(u->display_name);
	free(u->email);
	free(u->org);
	free(u->password);
	free(u->created);
	free(u->updated);
	memset(u, 0, sizeof(*u));
}

int kuser_check(const struct kuser *u, const struct korg *org, struct kerr *err)
{
	const char *role = krole_name(u->role);
	int rc;

	if ((rc = klogin_check(u->login, err)) || (rc = kdisplay_name_check(u->display_name, err)) ||
	    (rc = kemail_check(u->email, err)))
		return rc;
	if (!role)
		return kerr_set(err, KE_INVALID, "unknown role (one of: reporter, liaison, analyst, publisher, "
				"admin)");
	switch (u->role) {
	case KROLE_REPORTER:
		if (!org)
			return kerr_set(err, KE_INVALID, "a reporter needs an organisation (--org NAME): the "
					"operator whose incidents they report");
		if (org->kind != KORG_OPERATOR && org->kind != KORG_OTHER)
			return kerr_set(err, KE_INVALID, "a reporter's organisation must be an operator (or "
					"\"other\"), not a %s", korg_kind_name(org->kind));
		break;
	case KROLE_LIAISON:
		if (!org)
			return kerr_set(err, KE_INVALID, "a liaison needs an organisation (--org NAME): the "
					"ministry responsible for their sectors");
		if (org->kind != KORG_MINISTRY)
			return kerr_set(err, KE_INVALID, "a liaison's organisation must be a ministry, not %s %s",
					org->kind == KORG_OPERATOR || org->kind == KORG_OTHER ? "an" : "a",
					korg_kind_name(org->kind));
		if (!org->nsectors)
			return kerr_set(err, KE_INVALID, "a liaison's ministry must have sectors (org add NAME "
					"--kind ministry --sector SECTOR ...): %s has none", org->name);
		break;
	default:
		break;
	}
	return 0;
}

void kreader_hold_free(struct kreader_hold *h)
{
	free(h->login);
	free(h->org);
	for (size_t i = 0; i < KREADER_MAX_SECTORS; i++)
		free(h->sectors[i]);
	memset(h, 0, sizeof(*h));
}

int kuser_reader(const struct kuser *u, const struct korg *org, struct kreader_hold *h, struct kerr *err)
{
	kreader_hold_free(h);
	if (u->disabled)
		return kerr_set(err, KE_DENIED, "the account %s is disabled", u->login ? u->login : "");
	h->r.kind = KREADER_USER;
	h->r.user_id = u->id;
	h->r.role = u->role;
	h->r.caps = krole_caps(u->role);
	if (!(h->login = strdup(u->login ? u->login : "")))
		goto nomem;
	h->r.login = h->login;
	if (org) {
		h->r.org_id = org->id;
		if (!(h->org = strdup(org->name ? org->name : "")))
			goto nomem;
		h->r.org = h->org;
		for (size_t i = 0; i < org->nsectors && i < KREADER_MAX_SECTORS; i++) {
			if (!(h->sectors[i] = strdup(org->sectors[i])))
				goto nomem;
			h->r.sectors[i] = h->sectors[i];
			h->r.nsectors = i + 1;
		}
	}
	return 0;
nomem:
	kreader_hold_free(h);
	return kerr_set(err, KE_NOMEM, "out of memory");
}

/* ---- passwords ---------------------------------------------------------- */

/* Common passwords and the words they are made of, lower case, sorted (strcmp). */
static const char *const common[] = {
	"1q2w3e4r", "1q2w3e4r5t", "1q2w3e4r5t6y", "1qaz2wsx", "1qaz2wsx3edc", "aaa", "aaaaaa",
	"abc", "abcd", "abcdef", "abcdefg", "abcdefgh", "abcdefghijkl", "abcdefghijklmnop",
	"access", "admin", "administrador", "administrator", "aishiteru", "akiko", "amazon",
	"andrew", "angel", "anpanman", "anshou", "anything", "apple", "april", "arigato",
	"arigatou", "asdf", "asdfasdf", "asdfgh", "asdfghjkl", "ashley", "asshole", "august",
	"autumn", "azerty", "banana", "baseball", "basketball", "batman", "benutzer",
	"bestpassword", "bitch", "buster", "changeme", "charlie", "cheese", "chocolate", "cisa",
	"coffee", "computer", "conan", "contrasena", "cookie", "correcthorse",
	"correcthorsebatterystaple", "corvette", "csirt", "cyber", "cybersecurity", "daisuke",
	"daisuki", "daniel", "database", "debian", "december", "default", "demo", "detectiveconan",
	"diamond", "dollar", "doraemon", "dragon", "dragonball", "eagle", "evangelion",
	"everything", "example", "facebook", "fall", "family", "february", "ferrari", "firewall",
	"flower", "football", "fortnite", "freedom", "friday", "friend", "friends", "fuckoff",
	"fuckyou", "fujisan", "fujiyama", "fukuoka", "garden", "george", "ginger", "goku", "gold",
	"golf", "google", "guest", "gundam", "hacker", "hacking", "hana", "hanako", "hanami",
	"happiness", "happy", "harley", "haruka", "hayashi", "heaven", "hello", "hellohello",
	"hellokitty", "helloworld", "hikari", "himitsu", "hiroshi", "hiroshima", "hockey", "honda",
	"hunter", "ichiro", "ilovemyself", "iloveu", "iloveyou", "iloveyouiloveyou", "incident",
	"inoue", "instagram", "internet", "ipa", "ironman", "ito", "january", "japan", "japanese",
	"jennifer", "jessica", "jirei", "jiro", "jordan", "joshua", "jpcert", "july", "june",
	"justice", "kato", "kawaii", "kazuki", "keiko", "kenji", "killer", "kimura", "kitty",
	"kobayashi", "kobe", "kokoro", "konnichiha", "konnichiwa", "kyokun", "kyoto", "letmein",
	"letmeinplease", "liberty", "linux", "lion", "login", "lovely", "loveme", "loveyou",
	"luffy", "maggie", "makoto", "march", "master", "matsumoto", "matthew", "may", "mazda",
	"michael", "microsoft", "minecraft", "monday", "money", "monkey", "moon", "motdepasse",
	"mustang", "mylove", "mypassword", "mysecret", "nagoya", "nakamura", "naoko", "naruto",
	"netflix", "network", "newpassword", "nihon", "ninja", "nintendo", "nippon", "nisc",
	"nissan", "nothing", "november", "ocean", "october", "ohayo", "ohayou", "oldpassword",
	"one", "onepiece", "onetwothree", "opensesame", "orange", "osaka", "oyasumi", "passw0rd",
	"password", "passwordpassword", "passwort", "pasuwaado", "pasuwado", "peace", "pepper",
	"pikachu", "platinum", "playstation", "pokemon", "porsche", "prince", "princess",
	"private", "pussy", "q1w2e3r4", "q1w2e3r4t5", "qazwsx", "qazwsxedc", "qazwsxedcrfv",
	"qweasd", "qwerty", "qwertyqwerty", "qwertyuiop", "qwertyuiopasdf", "qwertz", "rainbow",
	"ramen", "ranger", "robert", "roblox", "root", "sailormoon", "sakura", "sample", "samsung",
	"samurai", "sapporo", "sasaki", "sashimi", "sasuke", "sato", "satoshi", "satou",
	"sayonara", "secret", "secretpassword", "security", "sendai", "september", "server",
	"shadow", "shimizu", "shit", "shogun", "shota", "silver", "sky", "smile", "soc", "soccer",
	"something", "sony", "spiderman", "spring", "star", "stars", "starwars", "strawberry",
	"subaru", "suki", "summer", "sun", "sunday", "sunshine", "superman", "supersecret",
	"superuser", "sushi", "suzuki", "sysadmin", "system", "takahashi", "takeshi", "tanaka",
	"taro", "tea", "temp", "temporary", "tempura", "tennis", "test", "test123", "tester",
	"testing", "thepassword", "thomas", "three", "tiger", "tokyo", "toor", "topsecret",
	"totoro", "toyota", "trustno1", "twitter", "two", "ubuntu", "user", "utilisateur",
	"verysecret", "wasabi", "watanabe", "webmaster", "weekend", "welcome", "welcomehome",
	"welcometo", "whatever", "william", "windows", "winter", "xbox", "xxx", "yamada",
	"yamaguchi", "yamamoto", "yokohama", "yoshida", "yourpassword", "youtube", "yuka", "yuki",
	"yuko", "yume", "yusuke", "zaq12wsx", "zaq1xsw2", "zxcv", "zxcvbn", "zxcvbnm", "zxcvzxcv",
	"zzz",
};
#define NCOMMON (sizeof(common) / sizeof(common[0]))

static int cmp_common(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_common(const char *s)
{
	return *s && bsearch(&s, common, NCOMMON, sizeof(common[0]), cmp_common) != NULL;
}

/* s made of one unit repeated: a short one, or a common word ("abcabcabcabc", "passwordpassword"). */
static int is_repeated(const char *s)
{
	size_t n = strlen(s);
	char unit[64];

	for (size_t l = 1; l <= n / 2; l++) {
		size_t i;

		if (n % l)
			continue;
		for (i = l; i < n && !memcmp(s + i, s, l); i += l)
			;
		if (i < n)
			continue;
		if (l <= 6)
			return 1;
		if (l < sizeof(unit)) {
			memcpy(unit, s, l);
			unit[l] = 0;
			if (is_common(unit))
				return 1;
		}
	}
	return 0;
}

static const char *const kbd_rows[] = { "1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./" };

static int kbd_pos(int c, int *row, int *col)
{
	for (int r = 0; r < 4; r++) {
		const char *p = strchr(kbd_rows[r], c);

		if (c && p) {
			*row = r;
			*col = (int)(p - kbd_rows[r]);
			return 1;
		}
	}
	return 0;
}

/* Is b after a a predictable step: the same, the next or previous character, a neighbouring key? */
static int predictable(int a, int b)
{
	int ra, ca, rb, cb;

	if (a == b || a + 1 == b || a == b + 1)
		return 1;
	if (!kbd_pos(a, &ra, &ca) || !kbd_pos(b, &rb, &cb))
		return 0;
	if (ra == rb)
		return ca - cb == 1 || cb - ca == 1;
	if (ra + 1 == rb) /* the key below: the same column, or one to the left (the rows are staggered) */
		return cb == ca || cb == ca - 1;
	if (rb + 1 == ra)
		return ca == cb || ca == cb - 1;
	return 0;
}

/* Mostly keyboard walks, sequences and repeats ("qwertyuiop12", "123456789012", "aaaaaaaaaaaa")? */
static int is_walk(const char *s)
{
	size_t len = strlen(s), n = 0, steps = 0;
	uint32_t prev = 0;

	for (size_t i = 0; i < len;) {
		uint32_t cp = 0;
		int l = kutf8_decode(s + i, len - i, &cp);

		if (l <= 0)
			return 0;
		if (n && (cp < 128 && prev < 128 ? predictable((int)prev, (int)cp)
						  : cp == prev || cp == prev + 1 || cp + 1 == prev))
			steps++;
		prev = cp;
		n++;
		i += (size_t)l;
	}
	return n < 2 || steps * 4 >= (n - 1) * 3;
}

/* The part of s between leading and trailing digits, punctuation and spaces, into out. */
static void core_of(const char *s, char *out, size_t outsz)
{
	size_t a = 0, b = strlen(s);

	while (a < b && (isdigit((unsigned char)s[a]) || ispunct((unsigned char)s[a]) || s[a] == ' '))
		a++;
	while (b > a && (isdigit((unsigned char)s[b - 1]) || ispunct((unsigned char)s[b - 1]) || s[b - 1] == ' '))
		b--;
	if (b - a >= outsz)
		b = a + outsz - 1;
	memcpy(out, s + a, b - a);
	out[b - a] = 0;
}

/* 0 -> o, 1 -> i, 3 -> e, 4 and @ -> a, 5 and $ -> s, 7 -> t: s into out (as long) */
static void unleet(const char *s, char *out)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		switch (s[i]) {
		case '0': out[i] = 'o'; break;
		case '1': out[i] = 'i'; break;
		case '3': out[i] = 'e'; break;
		case '4': case '@': out[i] = 'a'; break;
		case '5': case '$': out[i] = 's'; break;
		case '7': out[i] = 't'; break;
		default: out[i] = s[i]; break;
		}
	}
	out[i] = 0;
}

/* Is a word (a common one, or a repetition) what s is, or is made of? */
static int common_word(const char *s)
{
	return !*s || is_common(s) || is_repeated(s);
}

/*
 * Is lower-case s (ASCII folded) a common password, or made from one: the
 * word between digits and punctuation ("password1234", "!!pokemon!!!"),
 * with digits for letters ("p@ssw0rd2024"), words run together
 * ("i love you" as "iloveyou"), a keyboard walk, a repetition?
 */
static int weak(const char *s)
{
	char core[KPASSWORD_MAX + 1], leet[KPASSWORD_MAX + 1], tmp[KPASSWORD_MAX + 1];
	size_t j = 0;

	if (strlen(s) > KPASSWORD_MAX)
		return 0;
	if (is_common(s) || is_repeated(s) || is_walk(s))
		return 1;
	core_of(s, core, sizeof(core));
	if (common_word(core))
		return 1;
	for (size_t i = 0; core[i]; i++)
		if (core[i] != ' ' && core[i] != '-' && core[i] != '_' && core[i] != '.')
			tmp[j++] = core[i];
	tmp[j] = 0;
	if (is_common(tmp))
		return 1;
	unleet(core, leet);
	if (common_word(leet))
		return 1;
	core_of(leet, tmp, sizeof(tmp));
	if (common_word(tmp))
		return 1;
	unleet(s, leet);
	return is_common(leet);
}

int kpassword_check(const char *pw, const char *login, struct kerr *err)
{
	char low[KPASSWORD_MAX + 1];
	size_t n, len;
	int rc;

	if (!pw || !*pw)
		return kerr_set(err, KE_INVALID, "the password is empty");
	len = strlen(pw);
	if (len > KPASSWORD_MAX)
		return kerr_set(err, KE_INVALID, "the password is longer than %d bytes", KPASSWORD_MAX);
	if ((rc = text_check(pw, "the password", &n, err)))
		return rc;
	if (n < KPASSWORD_MIN)
		return kerr_set(err, KE_INVALID, "the password is too short: at least %d characters (it has "
				"%zu)", KPASSWORD_MIN, n);
	for (size_t i = 0; i <= len; i++)
		low[i] = (char)tolower((unsigned char)pw[i]);
	if (weak(low))
		return kerr_set(err, KE_INVALID, "the password is too common or too easy to guess (a common "
				"password, a word with digits, a keyboard pattern or a repetition): choose another");
	if (login && strlen(login) >= 3 && strstr(low, login))
		return kerr_set(err, KE_INVALID, "the password contains the login name: choose another");
	return 0;
}

/* The parameters of new hashes (OWASP's first choice for argon2id). */
#define ARGON2_T 2
#define ARGON2_M 19456
#define ARGON2_P 1
#define ARGON2_SALT 16
#define ARGON2_HASH 32

/* pw in Unicode NFC (malloc'ed), so that the same password typed two ways matches; NULL: no memory. */
static char *nfc(const char *pw)
{
	char *s = (char *)utf8proc_NFC((const utf8proc_uint8_t *)pw);

	return s ? s : NULL;
}

int kpassword_hash(const char *pw, char **encoded, struct kerr *err)
{
	unsigned char salt[ARGON2_SALT];
	size_t enclen = argon2_encodedlen(ARGON2_T, ARGON2_M, ARGON2_P, ARGON2_SALT, ARGON2_HASH,
					  Argon2_id);
	char *enc = NULL, *norm = NULL;
	int rc;

	*encoded = NULL;
	if (!pw || strlen(pw) > KPASSWORD_MAX)
		return kerr_set(err, KE_INVALID, "the password is longer than %d bytes", KPASSWORD_MAX);
	if (getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt))
		return kerr_set(err, KE_IO, "no random bytes: %s", strerror(errno));
	if (!(norm = nfc(pw)) || !(enc = malloc(enclen))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	rc = argon2id_hash_encoded(ARGON2_T, ARGON2_M, ARGON2_P, norm, strlen(norm), salt, sizeof(salt),
				   ARGON2_HASH, enc, enclen);
	if (rc != ARGON2_OK) {
		rc = kerr_set(err, rc == ARGON2_MEMORY_ALLOCATION_ERROR ? KE_NOMEM : KE_INVALID,
			      "password hashing failed: %s", argon2_error_message(rc));
		goto out;
	}
	*encoded = enc;
	enc = NULL;
out:
	if (norm) {
		explicit_bzero(norm, strlen(norm));
		free(norm);
	}
	free(enc);
	return rc;
}

int kpassword_verify(const char *encoded, const char *pw)
{
	char *norm;
	int ok;

	if (!encoded || !pw || strncmp(encoded, "$argon2id$", 10) || strlen(pw) > KPASSWORD_MAX)
		return 0;
	if (!(norm = nfc(pw)))
		return 0;
	ok = argon2id_verify(encoded, norm, strlen(norm)) == ARGON2_OK;
	explicit_bzero(norm, strlen(norm));
	free(norm);
	return ok;
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char *dummy_hash;

static void make_dummy(void)
{
	char pw[KSECRET_LEN + 1];

	if (ksecret_new(pw, NULL) == 0)
		kpassword_hash(pw, &dummy_hash, NULL);
	explicit_bzero(pw, sizeof(pw));
}

const char *kpassword_dummy(void)
{
	pthread_once(&dummy_once, make_dummy);
	/* without one (no memory), a well-formed hash that verifies nothing, at the same cost */
	return dummy_hash ? dummy_hash
			  : "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$"
			    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
}

/* ---- secrets, tokens, hashes -------------------------------------------- */

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int ksecret_new(char out[KSECRET_LEN + 1], struct kerr *err)
{
	unsigned char r[33]; /* 32 random bytes and a zero, so that 11 groups of 3 cover them */
	size_t got = 0, o = 0;

	while (got < 32) {
		ssize_t n = getrandom(r + got, 32 - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			out[0] = 0;
			return kerr_set(err, KE_IO, "no random bytes: %s", strerror(errno));
		}
		got += (size_t)n;
	}
	r[32] = 0;
	for (size_t i = 0; i < 33; i += 3) {
		unsigned v = (unsigned)r[i] << 16 | (unsigned)r[i + 1] << 8 | r[i + 2];

		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		out[o++] = b64url[(v >> 6) & 63];
		if (o < KSECRET_LEN)
			out[o++] = b64url[v & 63];
	}
	out[KSECRET_LEN] = 0;
	explicit_bzero(r, sizeof(r));
	return 0;
}

int ksecret_hash(const char *s, char out[KHASH_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[32];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, s, strlen(s), d) < 0) {
		out[0] = 0;
		return KE_NOMEM;
	}
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[KHASH_LEN] = 0;
	return 0;
}

int ksecret_equal(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	unsigned char diff = na != nb;

	for (size_t i = 0; i < na && i < nb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

int ktoken_new(char out[KTOKEN_LEN + 1], struct kerr *err)
{
	char s[KSECRET_LEN + 1];
	int rc;

	if ((rc = ksecret_new(s, err))) {
		out[0] = 0;
		return rc;
	}
	memcpy(out, KTOKEN_PREFIX, 4);
	memcpy(out + 4, s, KSECRET_LEN + 1);
	explicit_bzero(s, sizeof(s));
	return 0;
}

int ktoken_wellformed(const char *s)
{
	if (!s || strlen(s) != KTOKEN_LEN || strncmp(s, KTOKEN_PREFIX, 4))
		return 0;
	for (const char *p = s + 4; *p; p++)
		if (!strchr(b64url, *p))
			return 0;
	return 1;
}

int ktoken_name_check(const char *name, struct kerr *err)
{
	size_t n;
	int rc;

	if (!name)
		return 0;
	if (strlen(name) > 4 * KTOKEN_NAME_MAX)
		return kerr_set(err, KE_INVALID, "token name is longer than %d characters", KTOKEN_NAME_MAX);
	if ((rc = text_check(name, "token name", &n, err)))
		return rc;
	if (n > KTOKEN_NAME_MAX)
		return kerr_set(err, KE_INVALID, "token name is longer than %d characters", KTOKEN_NAME_MAX);
	return 0;
}

void ktoken_free(struct ktoken *t)
{
	freep(&t->login);
	freep(&t->name);
	freep(&t->prefix);
	freep(&t->created);
	freep(&t->expires);
	freep(&t->used);
	freep(&t->revoked);
	memset(t, 0, sizeof(*t));
}

/* ---- time --------------------------------------------------------------- */

void ktime_iso(time_t t, char out[KTIME_LEN + 1])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		memcpy(out, "1970-01-01T00:00:00Z", KTIME_LEN + 1);
		return;
	}
	strftime(out, KTIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void ktime_now(char out[KTIME_LEN + 1])
{
	ktime_iso(time(NULL), out);
}

/* n digits at s into *v; 1 if they are there. */
static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

int ktime_parse(const char *s, time_t *t)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, se = 0;
	size_t n;

	if (!s)
		return KE_PARSE;
	n = strlen(s);
	if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return KE_PARSE;
	if (n > 10) {
		if ((s[10] != 'T' && s[10] != ' ') || n < 16 || !digits(s + 11, 2, &h) || s[13] != ':' ||
		    !digits(s + 14, 2, &mi))
			return KE_PARSE;
		s += 16;
		if (*s == ':') {
			if (!digits(s + 1, 2, &se))
				return KE_PARSE;
			s += 3;
		}
		if (*s == 'Z')
			s++;
		if (*s)
			return KE_PARSE;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return KE_PARSE;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*t = timegm(&tm);
	/* no 31 February: the normalised date must be the one given */
	{
		struct tm back;

		if (!gmtime_r(t, &back) || back.tm_mday != d || back.tm_mon != mo - 1)
			return KE_PARSE;
	}
	return 0;
}

int ktime_since(const char *s, time_t now, time_t *t, struct kerr *err)
{
	char *end;
	long long n;
	long long unit;

	if (s && *s && isdigit((unsigned char)*s)) {
		errno = 0;
		n = strtoll(s, &end, 10);
		if (end != s && *end && !end[1] && errno == 0 && n >= 0 && n <= 100000) {
			switch (*end) {
			case 'm': unit = 60; break;
			case 'h': unit = 3600; break;
			case 'd': unit = 86400; break;
			case 'w': unit = 7 * 86400; break;
			default: unit = 0; break;
			}
			if (unit) {
				*t = now - (time_t)(n * unit);
				return 0;
			}
		}
	}
	if (ktime_parse(s, t) == 0)
		return 0;
	return kerr_set(err, KE_USAGE, "\"%.*s\" is not a time: give a date (2026-12-03), a UTC date and time "
			"(2026-12-03T20:56:12Z) or an age (30m, 24h, 7d, 2w)",
			s ? kutf8_cut(s, 64) : 0, s ? s : "");
}

/* ---- the audit log ------------------------------------------------------ */

void kaudit_free(struct kaudit *a)
{
	freep(&a->at);
	freep(&a->actor);
	freep(&a->address);
	freep(&a->action);
	freep(&a->object);
	freep(&a->detail);
	memset(a, 0, sizeof(*a));
}
