/*
 * redact_reid.c - re-identification risk: details that are harmless alone
 * but together point at one organisation even with every name removed:
 *   an exact date (2025年4月12日, 4月12日, 2025/4/12) with a place (a
 *     prefecture, a city or ward) anywhere in the case;
 *   a sector (the case's tags or its organisation attribute) with a precise
 *     number of users affected (12,345人, 1,234件, 321世帯) or an outage
 *     timed to the minute (3時間27分);
 *   a named product with its version (FooServer 9.2.1, Bar Ver.3).
 * Details are gathered over the whole case first, then each combination is
 * reported where its detail is, with a suggestion (日 → 月, 市 → 地方,
 * 12,345人 → 約1万人, 3時間27分 → 約3時間).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerr.h"
#include "redact_int.h"

enum { D_DATE, D_PLACE, D_COUNT, D_DURATION, D_PRODUCT };

struct rdetail {
	int type;
	size_t field, s, e;
	char *text;       /* the detail */
	char *alt;        /* what to write instead (the month, the region, 約1万人 ...), or NULL */
};

struct rreid {
	struct rdetail *v;
	size_t n, alloc;
	const char *sector; /* the case's sector, or NULL */
	size_t nplaces, ndates;
};

int rreid_new(const struct kcase *c, struct rreid **out)
{
	struct rreid *r = calloc(1, sizeof(*r));

	*out = r;
	if (!r)
		return KE_NOMEM;
	if (c->tags.sectors.n && c->tags.sectors.v[0] && *c->tags.sectors.v[0])
		r->sector = c->tags.sectors.v[0];
	else if (c->attributes.organization && *c->attributes.organization)
		r->sector = c->attributes.organization;
	return 0;
}

void rreid_free(struct rreid *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].text);
		free(r->v[i].alt);
	}
	free(r->v);
	free(r);
}

static int add(struct rreid *r, int type, size_t field, const struct rfield *f, size_t s, size_t e, char *alt)
{
	struct rdetail *d;

	if (r->n == r->alloc) {
		size_t na = r->alloc ? 2 * r->alloc : 16;
		struct rdetail *nv = realloc(r->v, na * sizeof(*nv));

		if (!nv) {
			free(alt);
			return KE_NOMEM;
		}
		r->v = nv;
		r->alloc = na;
	}
	d = &r->v[r->n++];
	d->type = type;
	d->field = field;
	d->s = s;
	d->e = e;
	d->alt = alt;
	d->text = r_utf8(f->cp, s, e);
	r->nplaces += type == D_PLACE;
	r->ndates += type == D_DATE;
	return d->text ? 0 : KE_NOMEM;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

/* A decimal number at u[i..) (digits, with thousands commas): its value, and *e its end; 0 digits: returns -1. */
static long long number(const uint32_t *u, size_t n, size_t i, size_t *e, int *sig)
{
	long long v = 0;
	size_t k = i, nd = 0;
	char digits[32];

	while (k < n && nd < 15) {
		if (r_digit(u[k])) {
			digits[nd++] = (char)u[k];
			v = v * 10 + (u[k] - '0');
			k++;
		} else if (u[k] == ',' && k > i && k + 3 < n + 1 && k + 3 <= n && r_digit(u[k + 1]) &&
			   r_digit(u[k + 2]) && r_digit(u[k + 3]) && !(k + 4 < n && r_digit(u[k + 4]))) {
			k++;
		} else {
			break;
		}
	}
	if (!nd)
		return -1;
	*e = k;
	if (sig) {
		size_t z = nd;

		while (z > 1 && digits[z - 1] == '0')
			z--;
		*sig = (int)z;
	}
	return v;
}

/* ---- dates and places -------------------------------------------------------------------- */

static int scan_dates(struct rreid *r, size_t fi, const struct rfield *f)
{
	const uint32_t *u = f->u;
	size_t n = f->n;

	for (size_t i = 0; i < n; i++) {
		size_t e, k, s = i;
		long long y = -1, m, d;

		if (!r_digit(u[i]) || (i > 0 && (r_digit(u[i - 1]) || u[i - 1] == ',' || u[i - 1] == '.')))
			continue;
		m = number(u, n, i, &e, NULL);
		if (e < n && u[e] == 0x5E74 /* 年 */) {
			y = m;
			k = e + 1;
			if (!(k < n && r_digit(u[k])))
				continue;
			m = number(u, n, k, &e, NULL);
		}
		if (e < n && u[e] == 0x6708 /* 月 */ && m >= 1 && m <= 12) {
			k = e + 1;
			if (!(k < n && r_digit(u[k])))
				continue;
			d = number(u, n, k, &e, NULL);
			if (!(e < n && u[e] == 0x65E5 /* 日 */ && d >= 1 && d <= 31))
				continue;
			e++;
			if (e < n && u[e] == 0x9593) /* 日間: a length of time */
				continue;
			if (r_before(u, s, "令和") || r_before(u, s, "平成") || r_before(u, s, "昭和"))
				s -= 2;
			char *alt = y >= 0 ? fmt("%s%lld年%lld月", s < i ? (u[s] == 0x4EE4 ? "令和" : u[s] == 0x5E73 ? "平成" : "昭和") : "",
						 y, m)
					   : fmt("%lld月", m);
			if (!alt || add(r, D_DATE, fi, f, s, e, alt))
				return KE_NOMEM;
			i = e - 1;
			continue;
		}
		/* 2025/4/12, 2025-04-12 */
		if (e - i == 4 && e + 1 < n && (u[e] == '/' || u[e] == '-') && r_digit(u[e + 1])) {
			uint32_t sep = u[e];
			size_t e2, e3;

			y = m;
			m = number(u, n, e + 1, &e2, NULL);
			if (e2 - e - 1 > 2 || !(e2 + 1 < n && u[e2] == sep && r_digit(u[e2 + 1])))
				continue;
			d = number(u, n, e2 + 1, &e3, NULL);
			if (e3 - e2 - 1 > 2 || m < 1 || m > 12 || d < 1 || d > 31 || (e3 < n && (r_alnum(u[e3]) || u[e3] == sep)))
				continue;
			char *alt = fmt("%lld年%lld月", y, m);

			if (!alt || add(r, D_DATE, fi, f, i, e3, alt))
				return KE_NOMEM;
			i = e3 - 1;
		}
	}
	return 0;
}

/* Before 市 or 区: not a city's name (都市, 地区, 特区 ...). */
static int city_ok(const uint32_t *u, size_t n, size_t a, size_t m)
{
	static const uint32_t bad_before[] = { 0x90FD /* 都 */, 0x5730 /* 地 */, 0x7279 /* 特 */, 0x7BA1 /* 管 */,
					       0x5B66 /* 学 */, 0x6319 /* 挙 */, 0x8857 /* 街 */, 0x5168 /* 全 */,
					       0x5404 /* 各 */, 0x540C /* 同 */, 0x5F53 /* 当 */, 0x672C /* 本 */,
					       0x8A72 /* 該 */, 0x6838 /* 核 */, 0x4EE4 /* 令 */, 0x5E02 /* 市 */,
					       0x533A /* 区 */, 0x5E02 };
	static const uint32_t bad_after[] = { 0x5834 /* 場 */, 0x6C11 /* 民 */, 0x8CA9 /* 販 */, 0x6CC1 /* 況 */,
					      0x57DF /* 域 */, 0x5206 /* 分 */, 0x5207 /* 切 */, 0x5225 /* 別 */,
					      0x9593 /* 間 */, 0x753B /* 画 */, 0x753A /* 町 */, 0x8857 /* 街 */ };

	if (m < a + 2)
		return 0;
	for (size_t i = 0; i < sizeof(bad_before) / sizeof(bad_before[0]); i++)
		if (u[m - 1] == bad_before[i])
			return 0;
	for (size_t i = 0; m + 1 < n && i < sizeof(bad_after) / sizeof(bad_after[0]); i++)
		if (u[m + 1] == bad_after[i])
			return 0;
	return 1;
}

static int scan_places(struct rreid *r, size_t fi, const struct rfield *f)
{
	const uint32_t *u = f->u;
	size_t n = f->n;

	for (size_t a = 0; a < n;) {
		size_t b = a, p, start;
		const char *region = NULL;

		if (!r_kanji(u[a])) {
			a++;
			continue;
		}
		while (b < n && r_kanji(u[b]))
			b++;
		start = a;
		for (size_t i = a; i < b; i++)
			if ((p = r_prefecture(u, b, i, &region))) {
				if (add(r, D_PLACE, fi, f, i, i + p, fmt("%s", region)))
					return KE_NOMEM;
				start = i + p;
				i += p - 1;
			}
		/* a city or ward: 2 to 4 kanji and 市 or 区 */
		for (size_t m = start + 2; m < b && m <= start + 4; m++)
			if ((u[m] == 0x5E02 || u[m] == 0x533A) && city_ok(u, n, start, m)) {
				if (add(r, D_PLACE, fi, f, start, m + 1, fmt("%s", region ? region : "地方名")))
					return KE_NOMEM;
				break;
			}
		a = b;
	}
	return 0;
}

/* ---- counts and durations -------------------------------------------------------------------- */

static const char *const units[] = { "世帯", "口座", "契約", "アカウント", "ユーザ", "人", "名", "件", "社", "台", "戸" };
static const char *const rough_before[] = { "約", "およそ", "概ね", "推定", "推計", "数", "延べ約" };
static const char *const rough_after[] = { "超", "以上", "余", "程度", "前後", "強", "弱", "規模", "ほど", "未満", "以下" };

static int rough(const uint32_t *u, size_t n, size_t s, size_t e)
{
	size_t j = s;

	while (j > 0 && u[j - 1] == ' ')
		j--;
	for (size_t i = 0; i < sizeof(rough_before) / sizeof(rough_before[0]); i++)
		if (r_before(u, j, rough_before[i]))
			return 1;
	for (size_t i = 0; i < sizeof(rough_after) / sizeof(rough_after[0]); i++)
		if (r_at(u, n, e, rough_after[i]))
			return 1;
	return 0;
}

/* 12,345 → 約1万, 3,456 → 約3,000, 123 → 約100 (one significant figure; tens of thousands kept). */
static char *about(long long v, const char *unit)
{
	if (v >= 100000000LL)
		return fmt("約%lld億%s", (v + 50000000) / 100000000, unit);
	if (v >= 10000)
		return fmt("約%lld万%s", (v + 5000) / 10000, unit);
	if (v >= 1000)
		return fmt("約%lld,000%s", (v + 500) / 1000, unit);
	return fmt("約%lld00%s", (v + 50) / 100, unit);
}

static int scan_counts(struct rreid *r, size_t fi, const struct rfield *f)
{
	const uint32_t *u = f->u;
	size_t n = f->n;

	for (size_t i = 0; i < n; i++) {
		size_t e, l = 0, k;
		long long v, h, m;
		int sig = 0;

		if (!r_digit(u[i]) || (i > 0 && (r_digit(u[i - 1]) || u[i - 1] == ',' || u[i - 1] == '.')))
			continue;
		v = number(u, n, i, &e, &sig);
		/* an outage to the minute: 3時間27分 */
		if (e < n && r_at(u, n, e, "時間") && e + 2 < n && r_digit(u[e + 2])) {
			h = v;
			m = number(u, n, e + 2, &k, NULL);
			if (k < n && u[k] == 0x5206 /* 分 */ && m >= 1 && m <= 59 && !rough(u, n, i, k + 1)) {
				k += 1 + (k + 1 < n && u[k + 1] == 0x9593 /* 間 */);
				if (add(r, D_DURATION, fi, f, i, k, fmt("約%lld時間", m >= 30 ? h + 1 : h)))
					return KE_NOMEM;
				i = k - 1;
				continue;
			}
		}
		for (size_t j = 0; j < sizeof(units) / sizeof(units[0]) && !l; j++)
			if ((l = r_at(u, n, e, units[j])) && v >= 100 && sig >= 3 && !rough(u, n, i, e + l)) {
				char unit[16];

				snprintf(unit, sizeof(unit), "%s", units[j]);
				if (add(r, D_COUNT, fi, f, i, e + l, about(v, unit)))
					return KE_NOMEM;
			}
		i = (l ? e + l : e) - 1;
	}
	return 0;
}

/* ---- products and versions ------------------------------------------------------------------- */

/* Words before a version that are not products (protocols, standards, document parts). */
static const char *const not_products[] = {
	"tls", "ssl", "http", "https", "smb", "smbv", "snmp", "snmpv", "ssh", "tcp", "udp", "ip", "ipv", "wpa",
	"oauth", "saml", "cvss", "cvssv", "nist", "sp", "iso", "pci", "dss", "jis", "no", "step", "phase",
	"section", "chapter", "fig", "table", "page", "p", "ver", "version", "v", "rfc", "itil", "cobit",
	"level", "tier", "stage", "part", "vol", "ch", "x", "csf", "ssvc", "epss", "utf", "ieee", "wi", "fi",
};

/* The word before u[i] (one space allowed): ASCII [A-Za-z][A-Za-z0-9_+-]*, or 2+ katakana. */
static size_t product_before(const uint32_t *u, size_t i)
{
	size_t e = i, s;

	if (e > 0 && u[e - 1] == ' ')
		e--;
	s = e;
	if (s > 0 && (r_alnum(u[s - 1]) || u[s - 1] == '_' || u[s - 1] == '+' || u[s - 1] == '-')) {
		char w[24];
		size_t k = 0;

		while (s > 0 && (r_alnum(u[s - 1]) || u[s - 1] == '_' || u[s - 1] == '+' || u[s - 1] == '-'))
			s--;
		while (s < e && !r_alpha(u[s]))
			s++;
		if (e - s < 2)
			return (size_t)-1;
		for (size_t j = s; j < e && k < sizeof(w) - 1; j++)
			w[k++] = (char)r_lower(u[j]);
		w[k] = 0;
		/* a trailing v ("nginx v") is the version's */
		for (size_t j = 0; j < sizeof(not_products) / sizeof(not_products[0]); j++)
			if (!strcmp(w, not_products[j]))
				return (size_t)-1;
		return s;
	}
	while (s > 0 && r_kata(u[s - 1]))
		s--;
	return e - s >= 2 ? s : (size_t)-1;
}

static int not_version_after(uint32_t c)
{
	static const uint32_t bad[] = { '%', 0x500D /* 倍 */, 0x4E07, 0x5104, 0x5343, 0x5186, 0x79D2, 0x6642, 0x5206,
					0x65E5, 0x5E74, 0x6708, 0x4EF6, 0x4EBA, 0x53F0, 0x70B9, 0x5272, 0x5EA6, 0x500B };

	if (r_alpha(c) || r_digit(c))
		return 1;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (c == bad[i])
			return 1;
	return 0;
}

static int scan_products(struct rreid *r, size_t fi, const struct rfield *f)
{
	const uint32_t *u = f->u;
	size_t n = f->n;

	for (size_t i = 0; i < n; i++) {
		size_t k = i, e, parts = 0, p, kw = 0;

		/* Ver.3, ver 2.1, Version 10, バージョン9.2, v1.2 */
		if (!r_digit(u[i])) {
			if (i > 0 && (r_alpha(u[i - 1]) || r_kata(u[i - 1])))
				continue;
			if (!(kw = r_at(u, n, i, "version")) && !(kw = r_at(u, n, i, "ver")) &&
			    !(kw = r_at(u, n, i, "バージョン")) && !((u[i] == 'v' || u[i] == 'V') && (kw = 1)))
				continue;
			k = i + kw;
			if (k < n && (u[k] == '.' || u[k] == ' '))
				k++;
			if (!(k < n && r_digit(u[k])) || (kw == 1 && k != i + 1))
				continue;
		} else if (i > 0 && (r_alnum(u[i - 1]) || u[i - 1] == '.' || u[i - 1] == ',' || u[i - 1] == '-')) {
			continue;
		}
		e = k;
		while (e < n && r_digit(u[e])) {
			while (e < n && r_digit(u[e]))
				e++;
			parts++;
			if (e + 1 < n && u[e] == '.' && r_digit(u[e + 1]))
				e++;
			else
				break;
		}
		if (e < n && not_version_after(u[e])) {
			i = e - 1 > i ? e - 1 : i;
			continue;
		}
		if (!kw && (parts < 2 || parts > 4)) {
			i = e > i ? e - 1 : i;
			continue;
		}
		if (!kw && parts == 4) { /* a dotted quad is an address, not a version */
			i = e - 1;
			continue;
		}
		p = product_before(u, i);
		/* "to 3.8 million", "around 1.5": a two-part number after a lower-case word is not a version */
		if (p != (size_t)-1 && !kw && parts == 2 && r_alpha(u[p])) {
			int proper = 0;

			for (size_t j = p; j < i && !proper; j++)
				proper = (u[j] >= 'A' && u[j] <= 'Z') || r_digit(u[j]);
			if (!proper)
				p = (size_t)-1;
		}
		if (p != (size_t)-1 && e + 1 < n && u[e] == ' ' &&
		    (r_at(u, n, e + 1, "million") || r_at(u, n, e + 1, "billion") || r_at(u, n, e + 1, "thousand") ||
		     r_at(u, n, e + 1, "percent") || r_at(u, n, e + 1, "times") || r_at(u, n, e + 1, "gb") ||
		     r_at(u, n, e + 1, "mb") || r_at(u, n, e + 1, "tb") || r_at(u, n, e + 1, "kb")))
			p = (size_t)-1;
		if (p == (size_t)-1) {
			i = e > i ? e - 1 : i;
			continue;
		}
		if (add(r, D_PRODUCT, fi, f, p, e, NULL))
			return KE_NOMEM;
		i = e - 1;
	}
	return 0;
}

int rreid_scan(struct rreid *r, size_t i, const struct rfield *f)
{
	int rc;

	if ((rc = scan_dates(r, i, f)) || (rc = scan_places(r, i, f)) || (rc = scan_counts(r, i, f)) ||
	    (rc = scan_products(r, i, f)))
		return rc;
	return 0;
}

static const struct rdetail *first_of(const struct rreid *r, int type)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].type == type)
			return &r->v[i];
	return NULL;
}

int rreid_emit(struct rreid *r, size_t i, const struct rfield *f, const struct rfield *fields, struct rcands *out)
{
	const struct rdetail *place = first_of(r, D_PLACE), *date = first_of(r, D_DATE);

	(void)f;
	for (size_t j = 0; j < r->n; j++) {
		const struct rdetail *d = &r->v[j];
		char *s = NULL;

		if (d->field != i)
			continue;
		switch (d->type) {
		case D_DATE:
			if (!place)
				continue;
			s = fmt("日付と地名「%s」(%s) の組み合わせ: 「%s」→「%s」、「%s」→「%s」", place->text,
				fields[place->field].name, d->text, d->alt, place->text, place->alt);
			break;
		case D_PLACE:
			if (!date)
				continue;
			s = fmt("地名と日付「%s」(%s) の組み合わせ: 「%s」→「%s」、「%s」→「%s」", date->text,
				fields[date->field].name, d->text, d->alt, date->text, date->alt);
			break;
		case D_COUNT:
			if (!r->sector)
				continue;
			s = fmt("分野「%s」と影響の数の組み合わせ: 「%s」→「%s」", r->sector, d->text, d->alt);
			break;
		case D_DURATION:
			if (!r->sector)
				continue;
			s = fmt("分野「%s」と分単位の停止時間の組み合わせ: 「%s」→「%s」", r->sector, d->text, d->alt);
			break;
		case D_PRODUCT:
			s = fmt("製品名とバージョンの組み合わせ: 「%s」→ 製品の種類 (例: VPN装置、Webサーバ) に、バージョンは省く",
				d->text);
			break;
		}
		if (!s || rcands_add(out, KFIND_REID, d->s, d->e, NULL, s))
			return KE_NOMEM;
	}
	return 0;
}
