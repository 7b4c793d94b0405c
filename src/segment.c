/*
 * segment.c - Japanese segmentation of a typed word for search (see
 * segment.h).
 */
#include "segment.h"
#include "case.h"
#include "grow.h"
#include "kerr.h"
#include "search_int.h"

#include <stdlib.h>
#include <string.h>

/* Particles and other function words a typed Japanese word is split at. */
static const char *const particles[] = {
	"について", "に対する", "に対して", "における", "によって", "による", "により",
	"として", "および", "または", "ならびに", "からの", "までの", "での", "への", "との",
	"から", "まで", "より", "など", "にて",
	"の", "を", "に", "へ", "が", "で", "と", "は", "も", "や",
	NULL,
};

static int is_particle(const char *s, size_t n)
{
	for (int i = 0; particles[i]; i++)
		if (strlen(particles[i]) == n && !memcmp(particles[i], s, n))
			return 1;
	return 0;
}

/* Length of the longest particle that s[0..n) ends with (0 if none). */
static size_t particle_suffix(const char *s, size_t n)
{
	size_t best = 0;

	for (int i = 0; particles[i]; i++) {
		size_t l = strlen(particles[i]);

		if (l < n && l > best && !memcmp(s + n - l, particles[i], l))
			best = l;
	}
	return best;
}

struct chunk {
	int cls;
	size_t s, e;
};

/* Kanji that end a compound's first part: 標的型|攻撃, 脆弱性|診断. */
static int kanji_suffix(int32_t c)
{
	return c == 0x578B /* 型 */ || c == 0x6027 /* 性 */ || c == 0x5316 /* 化 */ ||
	       c == 0x7684 /* 的 */ || c == 0x7CFB /* 系 */ || c == 0x8005 /* 者 */;
}

/*
 * Push a segment; a kanji-only one is split further the way Japanese
 * compounds usually divide: 未 is dropped before a word (パッチ未適用 is
 * also said パッチを適用していない), a part ends after a suffix kanji
 * (型 性 化 的 系 者), and four kanji are two words of two (大量送信 =
 * 大量 + 送信).  Returns the number of segments pushed.
 */
static int push_segment(const char *w, size_t s, size_t e, struct kstrv *out)
{
	int32_t cp[64];
	size_t off[65];
	int n = 0, pushed = 0, r;

	for (size_t p = s; p < e && n < 64;) {
		int l = u8_next(w + p, e - p, &cp[n]);

		if (!is_kanji(cp[n]))
			return kstrv_pushn(out, w + s, e - s) < 0 ? KE_NOMEM : 1;
		off[n++] = p;
		p += (size_t)l;
	}
	off[n] = e;
	if (n >= 64)
		return kstrv_pushn(out, w + s, e - s) < 0 ? KE_NOMEM : 1;
	if (n >= 3 && cp[0] == 0x672A /* 未 */)
		return push_segment(w, off[1], e, out);
	for (int i = n - 3; i >= 1; i--) {
		if (kanji_suffix(cp[i]) && n >= 5) {
			if ((r = push_segment(w, s, off[i + 1], out)) < 0)
				return r;
			pushed += r;
			if ((r = push_segment(w, off[i + 1], e, out)) < 0)
				return r;
			return pushed + r;
		}
	}
	if (n == 4) {
		if (kstrv_pushn(out, w + s, off[2] - s) < 0 || kstrv_pushn(out, w + off[2], e - off[2]) < 0)
			return KE_NOMEM;
		return 2;
	}
	return kstrv_pushn(out, w + s, e - s) < 0 ? KE_NOMEM : 1;
}

int ksegment_split(const char *word, struct kstrv *out)
{
	struct chunk *ch = NULL;
	size_t nch = 0, ach = 0, len = strlen(word), pos = 0, seg_s = 0, seg_e = 0;
	int nseg = 0, have = 0, last_cls = CL_OTHER, rc = 0;

	/* runs of one class */
	while (pos < len) {
		int32_t cp;
		int l = u8_next(word + pos, len - pos, &cp), cls = char_class(cp);

		if (cp == 0x30FC && nch && ch[nch - 1].cls == CL_HIRA)
			cls = CL_HIRA;
		if (nch && ch[nch - 1].cls == cls) {
			ch[nch - 1].e = pos + (size_t)l;
		} else {
			if (KGROW(ch, ach, nch + 1) < 0) {
				rc = KE_NOMEM;
				goto out;
			}
			ch[nch].cls = cls;
			ch[nch].s = pos;
			ch[nch].e = pos + (size_t)l;
			nch++;
		}
		pos += (size_t)l;
	}

#define CLOSE() do { \
		if (have && seg_e > seg_s) { \
			int np_ = push_segment(word, seg_s, seg_e, out); \
			if (np_ < 0) { \
				rc = KE_NOMEM; \
				goto out; \
			} \
			nseg += np_; \
		} \
		have = 0; \
	} while (0)

	for (size_t i = 0; i < nch; i++) {
		struct chunk *c = &ch[i];
		size_t n = c->e - c->s;

		if (c->cls == CL_OTHER) {
			CLOSE();
			last_cls = CL_OTHER;
			continue;
		}
		if (c->cls == CL_HIRA) {
			int inner = i > 0 && i + 1 < nch && ch[i - 1].cls != CL_HIRA &&
				    ch[i + 1].cls != CL_HIRA && ch[i - 1].cls != CL_OTHER;
			size_t suf;

			if (nch == 1)
				goto extend; /* a word all in hiragana is kept whole */
			if (is_particle(word + c->s, n) && (i > 0 || nch > 1)) {
				CLOSE();
				last_cls = CL_OTHER;
				continue;
			}
			suf = particle_suffix(word + c->s, n);
			if (suf && have && (i + 1 == nch || inner)) {
				/* okurigana + particle: 切り替えの -> 切り替え | */
				seg_e = c->e - suf;
				CLOSE();
				last_cls = CL_OTHER;
				continue;
			}
			/* okurigana: joins the word before it */
			if (!have) {
				have = 1;
				seg_s = c->s;
			}
			seg_e = c->e;
			last_cls = last_cls == CL_KANJI ? CL_KANJI : CL_HIRA;
			continue;
		}
		/* kanji after okurigana of a kanji word continues it (問い合わせ) */
		if (have && c->cls == CL_KANJI && last_cls == CL_KANJI && i > 0 && ch[i - 1].cls == CL_HIRA)
			goto extend;
		if (have && c->cls != last_cls)
			CLOSE();
extend:
		if (!have) {
			have = 1;
			seg_s = c->s;
		}
		seg_e = c->e;
		last_cls = c->cls;
	}
	CLOSE();
#undef CLOSE
out:
	free(ch);
	return rc < 0 ? rc : nseg;
}
