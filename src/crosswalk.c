/*
 * crosswalk.c - kyokun's vocabularies and the exchange formats' (see
 * crosswalk.h): data/crosswalk.tsv, compiled in (embedded.h) and parsed at
 * the first use, or a file loaded instead with kxwalk_load().
 */
#include "crosswalk.h"
#include "embedded.h"
#include "kerr.h"
#include "utf8.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KXWALK_MAX_FILE (1024 * 1024)

struct table {
	char *text;                 /* the file's text, cut into the entries' strings */
	struct kxwalk_entry *e;
	size_t n;
};

static struct table builtin;
static int builtin_rc;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static struct table *loaded; /* kxwalk_load's, used instead of the built-in one */

static const char *const vocabs[] = { "event_class", "threat", "event_type", "cause_type", "sector", NULL };
enum { C_VOCAB, C_CODE, C_JA, C_EN, C_VERIS, C_STIX, C_MISP, C__N };
static const char *const columns[C__N] = { "vocabulary", "code", "ja", "en", "veris", "stix", "misp" };

static char *trim(char *s)
{
	char *end;

	while (*s == ' ')
		s++;
	end = s + strlen(s);
	while (end > s && end[-1] == ' ')
		*--end = '\0';
	return s;
}

/* Cut cell into values at " | "; "-" (or nothing) is none. */
static int cell(char *s, const char **v, size_t *n, const char *name, int line, const char *col, struct kerr *err)
{
	*n = 0;
	s = trim(s);
	if (!*s || !strcmp(s, "-"))
		return 0;
	for (;;) {
		char *bar = strstr(s, " | ");
		if (bar)
			*bar = '\0';
		s = trim(s);
		if (!*s || !strcmp(s, "-"))
			return kerr_set(err, KE_PARSE, "%s:%d: %s: an empty value between \" | \"", name, line, col);
		if (*n >= KXWALK_MAXV)
			return kerr_set(err, KE_PARSE, "%s:%d: %s: more than %d values", name, line, col, KXWALK_MAXV);
		v[(*n)++] = s;
		if (!bar)
			return 0;
		s = bar + 3;
	}
}

static void table_free(struct table *t)
{
	free(t->text);
	free(t->e);
	memset(t, 0, sizeof(*t));
}

static int parse(const char *in, size_t len, const char *name, struct table *t, struct kerr *err)
{
	int map[C__N], line = 0, have_header = 0, rc = 0;
	size_t alloc = 0;
	char *p, *next;

	memset(t, 0, sizeof(*t));
	if (!kutf8_valid(in, len))
		return kerr_set(err, KE_PARSE, "%s: not UTF-8", name);
	if (memchr(in, '\0', len))
		return kerr_set(err, KE_PARSE, "%s: a NUL byte", name);
	t->text = malloc(len + 1);
	if (!t->text)
		return kerr_set(err, KE_NOMEM, "%s: out of memory", name);
	memcpy(t->text, in, len);
	t->text[len] = '\0';
	for (p = t->text; p && *p; p = next) {
		char *f[C__N + 1];
		int nf = 0;
		char *q;

		line++;
		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		if (*p && p[strlen(p) - 1] == '\r')
			p[strlen(p) - 1] = '\0';
		if (!*trim(p) || *trim(p) == '#')
			continue;
		for (q = p; nf <= C__N; nf++) {
			f[nf] = q;
			q = strchr(q, '\t');
			if (!q) {
				nf++;
				break;
			}
			*q++ = '\0';
		}
		if (!have_header) {
			for (int c = 0; c < C__N; c++) {
				map[c] = -1;
				for (int i = 0; i < nf && i < C__N; i++)
					if (!strcmp(trim(f[i]), columns[c]))
						map[c] = i;
				if (map[c] < 0) {
					rc = kerr_set(err, KE_PARSE, "%s:%d: the header has no column \"%s\"", name, line,
						      columns[c]);
					goto out;
				}
			}
			if (nf != C__N) {
				rc = kerr_set(err, KE_PARSE, "%s:%d: the header has %d columns, expected %d", name, line,
					      nf, C__N);
				goto out;
			}
			have_header = 1;
			continue;
		}
		if (nf != C__N) {
			rc = kerr_set(err, KE_PARSE, "%s:%d: %d columns, expected %d", name, line, nf, C__N);
			goto out;
		}
		if (t->n == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			struct kxwalk_entry *ne = realloc(t->e, na * sizeof(*ne));
			if (!ne) {
				rc = kerr_set(err, KE_NOMEM, "%s: out of memory", name);
				goto out;
			}
			t->e = ne;
			alloc = na;
		}
		struct kxwalk_entry *e = &t->e[t->n];
		memset(e, 0, sizeof(*e));
		e->vocab = NULL;
		for (int i = 0; vocabs[i]; i++)
			if (!strcmp(trim(f[map[C_VOCAB]]), vocabs[i]))
				e->vocab = vocabs[i];
		if (!e->vocab) {
			rc = kerr_set(err, KE_PARSE,
				      "%s:%d: vocabulary: \"%.40s\" is not one of event_class, threat, event_type, "
				      "cause_type, sector", name, line, f[map[C_VOCAB]]);
			goto out;
		}
		e->code = trim(f[map[C_CODE]]);
		e->ja = trim(f[map[C_JA]]);
		e->en = trim(f[map[C_EN]]);
		if (!*e->code || !*e->ja || !*e->en) {
			rc = kerr_set(err, KE_PARSE, "%s:%d: %s: required", name, line,
				      !*e->code ? "code" : !*e->ja ? "ja" : "en");
			goto out;
		}
		for (size_t i = 0; i < t->n; i++)
			if (t->e[i].vocab == e->vocab && !strcmp(t->e[i].code, e->code)) {
				rc = kerr_set(err, KE_PARSE, "%s:%d: code: %s \"%s\" is already there", name, line,
					      e->vocab, e->code);
				goto out;
			}
		if ((rc = cell(f[map[C_VERIS]], e->veris, &e->nveris, name, line, "veris", err)) < 0 ||
		    (rc = cell(f[map[C_STIX]], e->stix, &e->nstix, name, line, "stix", err)) < 0 ||
		    (rc = cell(f[map[C_MISP]], e->misp, &e->nmisp, name, line, "misp", err)) < 0)
			goto out;
		for (size_t i = 0; i < e->nveris; i++) {
			const char *eq = strchr(e->veris[i], '=');
			if (!eq || eq == e->veris[i] || !eq[1]) {
				rc = kerr_set(err, KE_PARSE, "%s:%d: veris: \"%.60s\" is not PATH=VALUE", name, line,
					      e->veris[i]);
				goto out;
			}
		}
		t->n++;
	}
	if (!have_header)
		rc = kerr_set(err, KE_PARSE, "%s: no header line (vocabulary, code, ja, en, veris, stix, misp)", name);
out:
	if (rc < 0)
		table_free(t);
	return rc;
}

static void builtin_init(void)
{
	struct kerr err = KERR_INIT;

	builtin_rc = parse((const char *)kembed_crosswalk_tsv, KEMBED_LEN(kembed_crosswalk_tsv), "built-in crosswalk",
			   &builtin, &err);
}

static const struct table *current(void)
{
	if (loaded)
		return loaded;
	pthread_once(&builtin_once, builtin_init);
	return builtin_rc < 0 ? NULL : &builtin;
}

const struct kxwalk_entry *kxwalk_find(const char *vocab, const char *code)
{
	const struct table *t = current();

	if (!t || !vocab || !code)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].vocab, vocab) && !strcmp(t->e[i].code, code))
			return &t->e[i];
	return NULL;
}

const struct kxwalk_entry *kxwalk_all(size_t *n)
{
	const struct table *t = current();

	*n = t ? t->n : 0;
	return t ? t->e : NULL;
}

size_t kxwalk_reverse(const char *column, const char *value, void (*cb)(void *ctx, const struct kxwalk_entry *e),
		      void *ctx)
{
	const struct table *t = current();
	size_t matched = 0;

	if (!t || !column || !value)
		return 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct kxwalk_entry *e = &t->e[i];
		const char *const *v;
		size_t nv;

		if (!strcmp(column, "veris")) {
			v = e->veris;
			nv = e->nveris;
		} else if (!strcmp(column, "stix")) {
			v = e->stix;
			nv = e->nstix;
		} else if (!strcmp(column, "misp")) {
			v = e->misp;
			nv = e->nmisp;
		} else {
			return 0;
		}
		for (size_t j = 0; j < nv; j++)
			if (!strcmp(v[j], value)) {
				matched++;
				if (cb)
					cb(ctx, e);
				break;
			}
	}
	return matched;
}

int kxwalk_load(const char *path, struct kerr *err)
{
	struct table *t = NULL;
	char *buf = NULL;
	size_t len = 0, n;
	FILE *fp = NULL;
	int rc = 0;

	fp = fopen(path, "rb");
	if (!fp) {
		rc = kerr_set(err, KE_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	buf = malloc(KXWALK_MAX_FILE + 1);
	t = calloc(1, sizeof(*t));
	if (!buf || !t) {
		rc = kerr_set(err, KE_NOMEM, "%s: out of memory", path);
		goto out;
	}
	while ((n = fread(buf + len, 1, KXWALK_MAX_FILE + 1 - len, fp)) > 0)
		len += n;
	if (ferror(fp)) {
		rc = kerr_set(err, KE_IO, "%s: read error", path);
		goto out;
	}
	if (len > KXWALK_MAX_FILE) {
		rc = kerr_set(err, KE_TOOBIG, "%s: larger than %d bytes", path, KXWALK_MAX_FILE);
		goto out;
	}
	if ((rc = parse(buf, len, path, t, err)) < 0)
		goto out;
	if (loaded) {
		table_free(loaded);
		free(loaded);
	}
	loaded = t;
	t = NULL;
out:
	if (fp)
		fclose(fp);
	free(buf);
	free(t);
	return rc;
}
