/*
 * segment.h - Japanese segmentation for search.  This module owns how a
 * Japanese word typed without spaces (待機系への切替, パッチ未適用) is
 * cut into content words: at particles (の, へ, を, による, ...), at
 * changes between kanji, katakana and Latin letters, and inside long kanji
 * compounds.  query.c makes a word match its exact string OR all of its
 * segments.
 */
#ifndef KYOKUN_SEGMENT_H
#define KYOKUN_SEGMENT_H

struct kstrv;

/*
 * Segment a Japanese word for searching: content words split at particles
 * and script changes.  Appends the segments (copies) to out; returns their
 * number (1 = not split), or KE_NOMEM.
 */
int ksegment_split(const char *word, struct kstrv *out);

#endif
