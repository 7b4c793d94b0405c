/*
 * web_metrics.h - what `kyokun serve` counts of its own work, for GET
 * /metrics (the Prometheus text exposition format, version 0.0.4), and the
 * two operations routes: GET /healthz (web.h) and GET /metrics.
 *
 * The counters live in the server (http.c embeds a struct kmetrics) and are
 * C11 atomics bumped with relaxed order: no lock on any request's path.  The
 * per-request ones are kept in shards, one per thread that answers
 * (libmicrohttpd's I/O threads; up to KMETRICS_SHARDS, then shared), so two
 * cores never fight over a cache line; a scrape sums them.  It reads them
 * one by one, so two counters may be a request apart; each histogram is made
 * cumulative from one reading of its buckets, so its buckets, _count and
 * +Inf always agree.
 */
#ifndef KYOKUN_WEB_METRICS_H
#define KYOKUN_WEB_METRICS_H

#include "kbuf.h"

#include <stdatomic.h>
#include <time.h>

struct kroute;

#define KMETRICS_ROUTES 96   /* route table entries counted (the rest share the last slot) */
#define KMETRICS_STATUSES 16 /* the statuses kyokun answers with, and "other" */
#define KMETRICS_BUCKETS 12  /* latency histogram buckets, +Inf aside */
#define KMETRICS_SHARDS 8    /* per-thread copies of the per-request counters */

/* What a thread counts of the requests it answered. */
struct kmetrics_shard {
	/* [0]: requests no route took (refused before one was found, or none matched) */
	atomic_ullong requests[KMETRICS_ROUTES + 1][KMETRICS_STATUSES];
	atomic_ullong latency[KMETRICS_ROUTES + 1][KMETRICS_BUCKETS + 1]; /* not cumulative */
	atomic_ullong latency_us[KMETRICS_ROUTES + 1];          /* sum, microseconds */
	atomic_ullong cache_hits, cache_misses;
	char pad[64]; /* no cache line shared with the next shard */
};

struct kmetrics {
	char pad_head[64]; /* no cache line shared with what is beside it in the server */
	time_t started;                                          /* process start (wall clock) */
	struct kmetrics_shard shard[KMETRICS_SHARDS];
	atomic_llong connections;                                /* open now */
	atomic_ullong signin_ok, signin_failed;
	atomic_llong cache_bytes, cache_limit;                   /* the response cache: held, at most */
	char pad_tail[64];
};

void kmetrics_init(struct kmetrics *m);

/* One request answered: its route (NULL if none), status, and time taken in microseconds. */
void kmetrics_request(struct kmetrics *m, const struct kroute *route, int status, long long us);
/* A cacheable request found its response in the cache (hit) or not. */
void kmetrics_cache(struct kmetrics *m, int hit);

/* The counters in the Prometheus text format, appended to out: 0 or KE_NOMEM. */
int kmetrics_write(struct kmetrics *m, struct kbuf *out);

/*
 * Append one Prometheus label value to out, escaped (backslash, double
 * quote and newline), without the quotes.
 */
int kmetrics_label(struct kbuf *out, const char *value);

#endif
