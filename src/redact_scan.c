/*
 * redact_scan.c - the addresses in a text: e-mail, URL, domain name, IPv4,
 * IPv6, Japanese telephone numbers and postal addresses.  Each scanner
 * reads the normalised code points once (a candidate's span is skipped
 * after it is taken), so a check is linear in the text.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "kerr.h"
#include "redact_int.h"

/* ---- e-mail ------------------------------------------------------------------------ */

static int local_ch(uint32_t c)
{
	return r_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static int host_ch(uint32_t c)
{
	return r_alnum(c) || c == '.' || c == '-';
}

/* Is u[s, e) a host name with a dot and a last label of 2+ letters?  Trims a trailing dot or dash. */
static int host_ok(const uint32_t *u, size_t s, size_t *e)
{
	size_t dot = 0, k;

	while (*e > s && (u[*e - 1] == '.' || u[*e - 1] == '-'))
		(*e)--;
	for (k = s; k < *e; k++)
		if (u[k] == '.') {
			if (k == s || u[k - 1] == '.')
				return 0;
			dot = k;
		}
	if (!dot || *e - dot - 1 < 2)
		return 0;
	for (k = dot + 1; k < *e; k++)
		if (!r_alpha(u[k]))
			return 0;
	return 1;
}

static int scan_email(const struct rfield *f, struct rcands *out)
{
	const uint32_t *u = f->u;
	size_t last = 0;

	for (size_t i = 0; i < f->n; i++) {
		size_t s = i, e = i + 1;

		if (u[i] != '@')
			continue;
		while (s > last && local_ch(u[s - 1]))
			s--;
		while (s < i && u[s] == '.')
			s++;
		while (e < f->n && host_ch(u[e]))
			e++;
		if (s == i || !host_ok(u, i + 1, &e))
			continue;
		if (rcands_add(out, KFIND_EMAIL, s, e, "[メールアドレス]", NULL))
			return KE_NOMEM;
		last = e;
		i = e - 1;
	}
	return 0;
}

/* ---- URL --------------------------------------------------------------------------- */

static int url_ch(uint32_t c)
{
	return c > 0x20 && c < 0x7F && !strchr("<>\"'`{}|\\^", (int)c);
}

static int scan_url(const struct rfield *f, struct rcands *out)
{
	static const char *const schemes[] = { "https://", "http://", "hxxps://", "hxxp://", "ftp://", "www." };
	const uint32_t *u = f->u;

	for (size_t i = 0; i < f->n; i++) {
		size_t k = 0, e;

		if (u[i] != 'h' && u[i] != 'H' && u[i] != 'f' && u[i] != 'F' && u[i] != 'w' && u[i] != 'W')
			continue;
		if (i > 0 && (r_alnum(u[i - 1]) || u[i - 1] == '.' || u[i - 1] == '/'))
			continue;
		for (size_t j = 0; j < sizeof(schemes) / sizeof(schemes[0]) && !k; j++)
			k = r_at(u, f->n, i, schemes[j]);
		if (!k)
			continue;
		e = i + k;
		while (e < f->n && url_ch(u[e]))
			e++;
		while (e > i + k && strchr(".,;:!?)]", (int)u[e - 1]))
			e--;
		if (e == i + k || (u[i] == 'w' && !r_alnum(u[i + k])))
			continue;
		if (rcands_add(out, KFIND_URL, i, e, "[URL]", NULL))
			return KE_NOMEM;
		i = e - 1;
	}
	return 0;
}

/* ---- domain names ------------------------------------------------------------------------ */

static const char *const tlds[] = {
	"com", "net", "org", "info", "biz", "jp", "io", "gov", "edu", "mil", "int", "us", "uk", "de", "fr",
	"cn", "kr", "tw", "hk", "ru", "eu", "au", "ca", "sg", "xyz", "top", "online", "site", "app", "dev",
	"cloud", "tech", "shop", "local", "lan", "corp", "internal", "example", "test", "invalid",
};

static int scan_domain(const struct rfield *f, struct rcands *out)
{
	const uint32_t *u = f->u;

	for (size_t i = 0; i < f->n; i++) {
		size_t e = i, dot = 0;
		int letter = 0, tld = 0, bad = 0;

		if (!r_alnum(u[i]) || (i > 0 && (host_ch(u[i - 1]) || u[i - 1] == '@' || u[i - 1] == '/' ||
						 u[i - 1] == '_')))
			continue;
		while (e < f->n && host_ch(u[e]))
			e++;
		while (e > i && (u[e - 1] == '.' || u[e - 1] == '-'))
			e--;
		for (size_t k = i; k < e; k++) {
			if (u[k] == '.') {
				bad |= k == i || u[k - 1] == '.';
				dot = k;
			} else if (r_alpha(u[k])) {
				letter = 1;
			}
		}
		if (!bad && dot && letter) {
			size_t tl = e - dot - 1;

			for (size_t t = 0; t < sizeof(tlds) / sizeof(tlds[0]) && !tld; t++) {
				size_t l = strlen(tlds[t]), k;

				if (l != tl)
					continue;
				for (k = 0; k < l && u[dot + 1 + k] == (uint32_t)tlds[t][k]; k++)
					;
				tld = k == l;
			}
		}
		if (tld && !(e < f->n && (u[e] == '@' || u[e] == '_'))) {
			if (rcands_add(out, KFIND_DOMAIN, i, e, "[ドメイン名]", NULL))
				return KE_NOMEM;
		}
		i = e > i ? e - 1 : i;
	}
	return 0;
}

/* ---- IP addresses ---------------------------------------------------------------------- */

/* A version keyword just before u[i] (Ver., version, バージョン, v)? */
static int after_version_word(const uint32_t *u, size_t i)
{
	size_t j = i;

	while (j > 0 && (u[j - 1] == ' ' || u[j - 1] == '.'))
		j--;
	return r_before(u, j, "ver") || r_before(u, j, "version") || r_before(u, j, "バージョン") ||
	       r_before(u, j, "版") || (j > 0 && (u[j - 1] == 'v' || u[j - 1] == 'V'));
}

static int scan_ipv4(const struct rfield *f, struct rcands *out)
{
	const uint32_t *u = f->u;

	for (size_t i = 0; i < f->n; i++) {
		size_t k = i, e;
		int parts = 0, ok = 1;

		if (!r_digit(u[i]) || (i > 0 && (r_alnum(u[i - 1]) || u[i - 1] == '.' || u[i - 1] == '-')))
			continue;
		while (parts < 4) {
			unsigned v = 0;
			size_t d = 0;

			while (k < f->n && r_digit(u[k]) && d < 4) {
				v = v * 10 + (u[k] - '0');
				k++;
				d++;
			}
			if (d == 0 || d > 3 || v > 255 || (d > 1 && u[k - d] == '0' && 0))
				ok = 0;
			parts++;
			if (parts < 4) {
				if (k < f->n && u[k] == '.' && k + 1 < f->n && r_digit(u[k + 1]))
					k++;
				else {
					ok = 0;
					break;
				}
			}
		}
		e = k;
		if (ok && e < f->n && (r_alnum(u[e]) || (u[e] == '.' && e + 1 < f->n && r_digit(u[e + 1]))))
			ok = 0;
		if (ok && after_version_word(u, i))
			ok = 0;
		if (ok && e + 1 < f->n && u[e] == '/' && r_digit(u[e + 1])) { /* CIDR */
			size_t c = e + 1;
			unsigned v = 0;

			while (c < f->n && r_digit(u[c]) && c - e <= 2)
				v = v * 10 + (u[c++] - '0');
			if (v <= 32 && !(c < f->n && r_digit(u[c])))
				e = c;
		}
		if (ok) {
			if (rcands_add(out, KFIND_IPV4, i, e, "[IPアドレス]", NULL))
				return KE_NOMEM;
			i = e - 1;
		} else {
			while (i + 1 < f->n && (r_digit(u[i + 1]) || u[i + 1] == '.'))
				i++;
		}
	}
	return 0;
}

static int hex_ch(uint32_t c)
{
	return r_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int scan_ipv6(const struct rfield *f, struct rcands *out)
{
	const uint32_t *u = f->u;

	for (size_t i = 0; i < f->n; i++) {
		size_t e = i, colons = 0, e2;
		char buf[64];
		unsigned char addr[16];
		int dbl = 0;

		if (!(hex_ch(u[i]) || u[i] == ':') || (i > 0 && (r_alnum(u[i - 1]) || u[i - 1] == ':' ||
								 u[i - 1] == '.')))
			continue;
		while (e < f->n && (hex_ch(u[e]) || u[e] == ':' || u[e] == '.'))
			e++;
		e2 = e;
		while (e > i && (u[e - 1] == '.' || (u[e - 1] == ':' && !(e - 1 > i && u[e - 2] == ':'))))
			e--;
		for (size_t k = i; k < e; k++) {
			colons += u[k] == ':';
			dbl |= k > i && u[k] == ':' && u[k - 1] == ':';
		}
		if (colons >= 2 && (dbl || colons == 7) && e - i < sizeof(buf) &&
		    !(e < f->n && r_alnum(u[e]))) {
			int hex = 0;

			for (size_t k = i; k < e; k++) {
				buf[k - i] = (char)u[k];
				hex |= hex_ch(u[k]);
			}
			buf[e - i] = 0;
			if (hex && inet_pton(AF_INET6, buf, addr) == 1) {
				size_t c = e;

				if (c + 1 < f->n && u[c] == '/' && r_digit(u[c + 1])) {
					c++;
					while (c < f->n && r_digit(u[c]) && c - e <= 3)
						c++;
					e = c;
				}
				if (rcands_add(out, KFIND_IPV6, i, e, "[IPアドレス]", NULL))
					return KE_NOMEM;
			}
		}
		i = (e2 > i ? e2 : i + 1) - 1;
	}
	return 0;
}

/* ---- telephone numbers ------------------------------------------------------------------ */

static int phone_sep(uint32_t c)
{
	return c == '-' || c == ' ' || c == '(' || c == ')' || c == 0x30FC || c == '.';
}

static int scan_phone(const struct rfield *f, struct rcands *out)
{
	const uint32_t *u = f->u;

	for (size_t i = 0; i < f->n; i++) {
		size_t k = i, digits = 0, groups = 0, first = 0, intl = 0, e;
		char lead[6] = "";
		int ok;

		if (i > 0 && (r_alnum(u[i - 1]) || u[i - 1] == '-' || u[i - 1] == '.' || u[i - 1] == '/' ||
			      u[i - 1] == '+' || u[i - 1] == ','))
			continue;
		if (u[i] == '+' && r_at(u, f->n, i, "+81")) {
			intl = 1;
			k = i + 3;
			while (k < f->n && (u[k] == ' ' || u[k] == '-'))
				k++;
			if (r_at(u, f->n, k, "(0)"))
				k += 3;
		} else if (u[i] == '(' && i + 1 < f->n && u[i + 1] == '0') {
			k = i + 1;
		} else if (u[i] != '0') {
			continue;
		}
		e = k;
		while (k < f->n) {
			size_t d = 0;

			while (k < f->n && r_digit(u[k])) {
				if (digits < sizeof(lead) - 1)
					lead[digits] = (char)u[k];
				k++;
				d++;
				digits++;
			}
			if (!d)
				break;
			if (!groups)
				first = d;
			groups++;
			e = k;
			/* one separator (or ") " / ")-") and more digits go on */
			if (k < f->n && phone_sep(u[k])) {
				size_t s = k + 1;

				if (s < f->n && (u[s] == ' ' || u[s] == '-') && u[k] == ')')
					s++;
				if (s < f->n && r_digit(u[s]) && groups < 4) {
					k = s;
					continue;
				}
			}
			break;
		}
		if (e < f->n && (r_digit(u[e]) || r_alpha(u[e])))
			continue;
		lead[digits < 5 ? digits : 5] = 0;
		if (intl)
			ok = digits >= 9 && digits <= 10 && groups >= 2;
		else if (groups == 1)
			ok = (digits == 11 && (!strncmp(lead, "050", 3) || !strncmp(lead, "070", 3) ||
					       !strncmp(lead, "080", 3) || !strncmp(lead, "090", 3))) ||
			     (digits == 10 && !strncmp(lead, "0120", 4));
		else
			ok = (digits == 10 || digits == 11) && first >= 2 && first <= 5 && groups >= 2 && groups <= 4;
		if (!ok)
			continue;
		if (rcands_add(out, KFIND_PHONE, i, e, "[電話番号]", NULL))
			return KE_NOMEM;
		i = e - 1;
	}
	return 0;
}

/* ---- postal addresses --------------------------------------------------------------------- */

static const struct {
	const char *name, *region;
} prefs[] = {
	{ "北海道", "北海道" }, { "青森県", "東北地方" }, { "岩手県", "東北地方" }, { "宮城県", "東北地方" },
	{ "秋田県", "東北地方" }, { "山形県", "東北地方" }, { "福島県", "東北地方" }, { "茨城県", "関東地方" },
	{ "栃木県", "関東地方" }, { "群馬県", "関東地方" }, { "埼玉県", "関東地方" }, { "千葉県", "関東地方" },
	{ "東京都", "関東地方" }, { "神奈川県", "関東地方" }, { "新潟県", "中部地方" }, { "富山県", "中部地方" },
	{ "石川県", "中部地方" }, { "福井県", "中部地方" }, { "山梨県", "中部地方" }, { "長野県", "中部地方" },
	{ "岐阜県", "中部地方" }, { "静岡県", "中部地方" }, { "愛知県", "中部地方" }, { "三重県", "近畿地方" },
	{ "滋賀県", "近畿地方" }, { "京都府", "近畿地方" }, { "大阪府", "近畿地方" }, { "兵庫県", "近畿地方" },
	{ "奈良県", "近畿地方" }, { "和歌山県", "近畿地方" }, { "鳥取県", "中国地方" }, { "島根県", "中国地方" },
	{ "岡山県", "中国地方" }, { "広島県", "中国地方" }, { "山口県", "中国地方" }, { "徳島県", "四国地方" },
	{ "香川県", "四国地方" }, { "愛媛県", "四国地方" }, { "高知県", "四国地方" }, { "福岡県", "九州地方" },
	{ "佐賀県", "九州地方" }, { "長崎県", "九州地方" }, { "熊本県", "九州地方" }, { "大分県", "九州地方" },
	{ "宮崎県", "九州地方" }, { "鹿児島県", "九州地方" }, { "沖縄県", "沖縄地方" },
};

size_t r_prefecture(const uint32_t *u, size_t n, size_t i, const char **region)
{
	if (!r_kanji(u[i]))
		return 0;
	for (size_t p = 0; p < sizeof(prefs) / sizeof(prefs[0]); p++) {
		size_t l = r_at(u, n, i, prefs[p].name);

		if (l) {
			if (region)
				*region = prefs[p].region;
			return l;
		}
	}
	return 0;
}

static int muni_end(uint32_t c)
{
	return c == 0x5E02 /* 市 */ || c == 0x533A /* 区 */ || c == 0x753A /* 町 */ || c == 0x6751 /* 村 */ ||
	       c == 0x90E1 /* 郡 */;
}

/* After a municipality at u[e..): the rest of a street address, up to its last number. */
static size_t street(const uint32_t *u, size_t n, size_t e)
{
	size_t k = e, last = e;

	while (k < n && k - e < 40) {
		uint32_t c = u[k];

		if (r_digit(c) || c == '-' || r_kanji(c) || r_kata(c) || c == 0x30CE /* ノ */) {
			if (r_digit(c) || c == 0x4E01 /* 丁 */ || c == 0x756A /* 番 */ || c == 0x53F7 /* 号 */ ||
			    c == 0x5730 /* 地 */ || c == 0x76EE /* 目 */)
				last = k + 1;
			k++;
			continue;
		}
		if ((c == 0x304C /* が */ || c == 0x306E /* の */ || c == 0x30F6) && k + 1 < n && r_kanji(u[k + 1])) {
			k++;
			continue;
		}
		break;
	}
	/* the number part must hold a digit (丁目 alone is a place) */
	for (size_t j = e; j < last; j++)
		if (r_digit(u[j]))
			return last;
	return e;
}

static int scan_address(const struct rfield *f, struct rcands *out)
{
	const uint32_t *u = f->u;

	for (size_t i = 0; i < f->n; i++) {
		size_t l, e = 0;

		if (u[i] == 0x3012) { /* 〒123-4567 */
			size_t k = i + 1;

			while (k < f->n && u[k] == ' ')
				k++;
			if (k + 8 <= f->n && r_digit(u[k]) && r_digit(u[k + 1]) && r_digit(u[k + 2]) && u[k + 3] == '-' &&
			    r_digit(u[k + 4]) && r_digit(u[k + 5]) && r_digit(u[k + 6]) && r_digit(u[k + 7]) &&
			    !(k + 8 < f->n && r_digit(u[k + 8]))) {
				e = k + 8;
				while (e < f->n && u[e] == ' ')
					e++;
				if ((l = r_prefecture(u, f->n, e, NULL)))
					goto pref;
				e = k + 8;
				goto take;
			}
			continue;
		}
		if (!(l = r_prefecture(u, f->n, i, NULL)))
			continue;
		e = i;
pref:
		{
			size_t k = e + l, m = 0;

			/* 市区町村: a run of up to 7 kanji (or kana in names like ケ) ending in 市, 区, 町, 村 or 郡 */
			for (size_t j = k; j < f->n && j - k < 8 && (r_kanji(u[j]) || u[j] == 0x30B1 || u[j] == 0x30F6); j++)
				if (muni_end(u[j]) && j > k) {
					m = j + 1;
					if (u[j] != 0x90E1) /* 郡 goes on to its town */
						break;
				}
			if (!m) {
				if (u[i] == 0x3012) { /* a postal code and a prefecture only */
					e = e + l;
					goto take;
				}
				continue;
			}
			/* a ward of a designated city (横浜市中区) */
			if (u[m - 1] == 0x5E02)
				for (size_t j = m; j < f->n && j - m < 5 && r_kanji(u[j]); j++)
					if (u[j] == 0x533A && j > m) {
						m = j + 1;
						break;
					}
			e = street(u, f->n, m);
		}
take:
		if (rcands_add(out, KFIND_ADDRESS, i, e, "[住所]", NULL))
			return KE_NOMEM;
		i = e - 1;
	}
	return 0;
}

int rscan_addresses(const struct rfield *f, struct rcands *out)
{
	int rc;

	if ((rc = scan_url(f, out)) || (rc = scan_email(f, out)) || (rc = scan_domain(f, out)) ||
	    (rc = scan_ipv4(f, out)) || (rc = scan_ipv6(f, out)) || (rc = scan_phone(f, out)) ||
	    (rc = scan_address(f, out)))
		return rc;
	return 0;
}
