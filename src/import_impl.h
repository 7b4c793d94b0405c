/*
 * import_impl.h - internals shared by import.c, import_text.c and
 * import_classify.c.  Not part of the library's interface.
 */
#ifndef KYOKUN_IMPORT_IMPL_H
#define KYOKUN_IMPORT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "case.h"

struct kbuf;

/* Headings that are no body section of the spec, after the KSEC_* ones. */
enum {
	KI_SUMMARY = KSEC__N, /* 事例の概要, １．概要 */
	KI_STATUS,            /* ２．状況: a diagram */
	KI_TIMELINE,          /* ３．時系列 */
	KI_MATOME,            /* ４．まとめ: a frame around other headings */
	KI_FIGURE,            /* 発生事象のイメージ: a figure caption */
	KI_END,               /* 付録, 用語集: the cases are over */
	KI_NSEC
};

/* Bullet types (ki_bullet). */
enum {
	KB_NONE,
	KB_STD,     /* • ・ ● ○ ◆ ■ ✓ - * ... */
	KB_NOTE,    /* ※ */
	KB_CIRCLED, /* ① ⑴ ❶ */
	KB_PAREN,   /* (1) （ア） (i) */
	KB_NUM,     /* 1. 2) */
	KB_SUBHEAD, /* ＜システム面＞ 【事象①】 */
};

/* import_text.c: UTF-8 and character helpers (input is valid UTF-8). */
uint32_t ki_u8(const char *s, size_t len, size_t *i);
uint32_t ki_fold(uint32_t c);
int ki_isspace(uint32_t c);
int ki_iswide(uint32_t c);
size_t ki_width(const char *s, size_t len);
size_t ki_cplen(const char *s, size_t len);
uint32_t ki_last_cp(const char *s, size_t len);
int ki_is_circled(uint32_t c);
/* Folded copy of s (fullwidth ASCII to ASCII) without white space and '*'. */
int ki_key(struct kbuf *out, const char *s, size_t len);
/* Bullet type at the start of s; *mlen = bytes of the marker and the spaces after it. */
int ki_bullet(const char *s, size_t len, size_t *mlen);
/* Offset of the first invalid UTF-8 sequence, or len. */
size_t ki_utf8_bad(const char *s, size_t len);
const char *ki_memmem(const char *h, size_t hl, const char *n, size_t nl);

/* import_classify.c: cue words and segmentation. */
/* Scores of text (a key: folded, no spaces) for the sections KSEC_*. */
void ki_cue_scores(const char *key, size_t klen, double sc[KSEC__N]);
/* Is the key only a cross-reference ("「２.状況」、「３.時系列」を参照")? */
int ki_is_crossref(const char *key, size_t klen);

/*
 * Split items 0..n-1 into contiguous segments, one per label 0..k-1 (a label
 * may get none, at a cost), maximising the sum of score[i * k + label].
 * cut_ok[i] says a segment may start at item i.  ordered: segments follow
 * the label order; otherwise each label is used at most once in any order.
 * Writes assign[i] (a label index).  Returns the total score.
 */
double ki_segment(int n, int k, const double *score, const unsigned char *cut_ok,
		  int ordered, int *assign);

#endif
