/*
 * web_metrics.c - the server's counters in the Prometheus text format, and
 * the operations routes GET /healthz and GET /metrics (see web_metrics.h).
 */
#include "web_metrics.h"
#include "kerr.h"
#include "reader.h"
#include "route.h"
#include "store.h"
#include "web.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* The statuses counted one by one; anything else is "other" (the last slot). */
static const int statuses[KMETRICS_STATUSES - 1] = {
	200, 303, 304, 400, 401, 403, 404, 405, 413, 414, 415, 429, 431, 500, 503,
};

/* Upper bounds of the latency buckets, microseconds (and as Prometheus prints them). */
static const long long bucket_us[KMETRICS_BUCKETS] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
};
static const char *const bucket_le[KMETRICS_BUCKETS] = {
	"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5",
};

/* The TLP levels, for the cases gauge. */
static const char *const tlp_levels[] = { "clear", "green", "amber", "amber+strict", "red" };

void kmetrics_init(struct kmetrics *m)
{
	memset(m, 0, sizeof(*m)); /* all-bits-zero is a zero atomic on every platform we build on */
	m->started = time(NULL);
}

static int route_slot(const struct kroute *route)
{
	long i;

	if (!route)
		return 0;
	i = route - kroutes;
	if (i < 0 || i >= KMETRICS_ROUTES)
		return KMETRICS_ROUTES; /* the table outgrew the counters: the last slot */
	return (int)i + 1;
}

/* This thread's shard: threads take them in turn as they first count something. */
static struct kmetrics_shard *my_shard(struct kmetrics *m)
{
	static atomic_uint next;
	static _Thread_local int mine = -1;

	if (mine < 0)
		mine = (int)(atomic_fetch_add_explicit(&next, 1, memory_order_relaxed) % KMETRICS_SHARDS);
	return &m->shard[mine];
}

void kmetrics_cache(struct kmetrics *m, int hit)
{
	struct kmetrics_shard *sh = my_shard(m);

	atomic_fetch_add_explicit(hit ? &sh->cache_hits : &sh->cache_misses, 1, memory_order_relaxed);
}

void kmetrics_request(struct kmetrics *m, const struct kroute *route, int status, long long us)
{
	struct kmetrics_shard *sh = my_shard(m);
	int r = route_slot(route), s = KMETRICS_STATUSES - 1, b = 0;

	for (int i = 0; i < KMETRICS_STATUSES - 1; i++) {
		if (statuses[i] == status) {
			s = i;
			break;
		}
	}
	if (us < 0)
		us = 0;
	while (b < KMETRICS_BUCKETS && us > bucket_us[b])
		b++;
	atomic_fetch_add_explicit(&sh->requests[r][s], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sh->latency[r][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sh->latency_us[r], (unsigned long long)us, memory_order_relaxed);
}

int kmetrics_label(struct kbuf *out, const char *v)
{
	int rc = 0;

	for (; v && *v && rc == 0; v++) {
		if (*v == '\\')
			rc = kbuf_adds(out, "\\\\");
		else if (*v == '"')
			rc = kbuf_adds(out, "\\\"");
		else if (*v == '\n')
			rc = kbuf_adds(out, "\\n");
		else
			rc = kbuf_addch(out, *v);
	}
	return rc;
}

/* method="GET",route="/cases/:id" of a slot (route "-" for none) */
static int route_labels(struct kbuf *out, int slot)
{
	const struct kroute *r = NULL;
	int n = 0;

	while (kroutes[n].pattern)
		n++;
	if (slot > 0 && slot - 1 < n && slot < KMETRICS_ROUTES)
		r = &kroutes[slot - 1];
	if (kbuf_adds(out, "method=\"") < 0 || kmetrics_label(out, r ? r->method : slot ? "other" : "-") < 0 ||
	    kbuf_adds(out, "\",route=\"") < 0 || kmetrics_label(out, r ? r->pattern : slot ? "other" : "-") < 0 ||
	    kbuf_addch(out, '"') < 0)
		return KE_NOMEM;
	return 0;
}

static unsigned long long get(atomic_ullong *a)
{
	return atomic_load_explicit(a, memory_order_relaxed);
}

/* A per-request counter summed over the shards: field is its offset in a shard. */
static unsigned long long sum(struct kmetrics *m, size_t field)
{
	unsigned long long v = 0;

	for (int i = 0; i < KMETRICS_SHARDS; i++)
		v += get((atomic_ullong *)((char *)&m->shard[i] + field));
	return v;
}

#define SUM(m, member) sum((m), offsetof(struct kmetrics_shard, member))

int kmetrics_write(struct kmetrics *m, struct kbuf *out)
{
	int rc = 0;

	rc |= kbuf_adds(out, "# HELP kyokun_http_requests_total HTTP requests answered, by route and status.\n"
			"# TYPE kyokun_http_requests_total counter\n");
	for (int r = 0; r <= KMETRICS_ROUTES && rc == 0; r++) {
		for (int s = 0; s < KMETRICS_STATUSES; s++) {
			unsigned long long v = SUM(m, requests[r][s]);

			if (!v)
				continue;
			rc |= kbuf_adds(out, "kyokun_http_requests_total{");
			rc |= route_labels(out, r);
			if (s < KMETRICS_STATUSES - 1)
				rc |= kbuf_addf(out, ",status=\"%d\"} %llu\n", statuses[s], v);
			else
				rc |= kbuf_addf(out, ",status=\"other\"} %llu\n", v);
		}
	}
	rc |= kbuf_adds(out, "# HELP kyokun_http_request_duration_seconds Time from the request line in to the "
			"response queued, by route.\n"
			"# TYPE kyokun_http_request_duration_seconds histogram\n");
	for (int r = 0; r <= KMETRICS_ROUTES && rc == 0; r++) {
		unsigned long long b[KMETRICS_BUCKETS + 1], cum = 0;

		for (int i = 0; i <= KMETRICS_BUCKETS; i++)
			cum += b[i] = SUM(m, latency[r][i]);
		if (!cum)
			continue;
		cum = 0;
		for (int i = 0; i <= KMETRICS_BUCKETS; i++) {
			cum += b[i];
			rc |= kbuf_adds(out, "kyokun_http_request_duration_seconds_bucket{");
			rc |= route_labels(out, r);
			rc |= kbuf_addf(out, ",le=\"%s\"} %llu\n", i < KMETRICS_BUCKETS ? bucket_le[i] : "+Inf", cum);
		}
		rc |= kbuf_adds(out, "kyokun_http_request_duration_seconds_sum{");
		rc |= route_labels(out, r);
		rc |= kbuf_addf(out, "} %.6f\n", (double)SUM(m, latency_us[r]) / 1e6);
		rc |= kbuf_adds(out, "kyokun_http_request_duration_seconds_count{");
		rc |= route_labels(out, r);
		rc |= kbuf_addf(out, "} %llu\n", cum);
	}
	rc |= kbuf_addf(out,
			"# HELP kyokun_http_cache_hits_total Requests answered from the response cache.\n"
			"# TYPE kyokun_http_cache_hits_total counter\n"
			"kyokun_http_cache_hits_total %llu\n"
			"# HELP kyokun_http_cache_misses_total Cacheable requests the response cache did not have.\n"
			"# TYPE kyokun_http_cache_misses_total counter\n"
			"kyokun_http_cache_misses_total %llu\n"
			"# HELP kyokun_http_cache_bytes Bytes of responses the response cache holds.\n"
			"# TYPE kyokun_http_cache_bytes gauge\n"
			"kyokun_http_cache_bytes %lld\n"
			"# HELP kyokun_http_cache_limit_bytes The most it may hold (serve --cache-size).\n"
			"# TYPE kyokun_http_cache_limit_bytes gauge\n"
			"kyokun_http_cache_limit_bytes %lld\n"
			"# HELP kyokun_http_connections Open client connections.\n"
			"# TYPE kyokun_http_connections gauge\n"
			"kyokun_http_connections %lld\n"
			"# HELP kyokun_signins_total Sign-ins through the sign-in form, by result.\n"
			"# TYPE kyokun_signins_total counter\n"
			"kyokun_signins_total{result=\"ok\"} %llu\n"
			"kyokun_signins_total{result=\"failed\"} %llu\n"
			"# HELP process_start_time_seconds Start time of the process since the Unix epoch in seconds.\n"
			"# TYPE process_start_time_seconds gauge\n"
			"process_start_time_seconds %lld\n",
			SUM(m, cache_hits), SUM(m, cache_misses),
			(long long)atomic_load_explicit(&m->cache_bytes, memory_order_relaxed),
			(long long)atomic_load_explicit(&m->cache_limit, memory_order_relaxed),
			(long long)atomic_load_explicit(&m->connections, memory_order_relaxed),
			get(&m->signin_ok), get(&m->signin_failed), (long long)m->started);
	return rc < 0 ? KE_NOMEM : 0;
}

/* ---- the routes -------------------------------------------------------------------- */

/*
 * GET /healthz: does the database answer?  A count on this worker's own
 * connection (the cases an anonymous reader sees: nothing more than the
 * API shows anyone) and the schema version.  200 {"status":"ok",...} or
 * 503 {"status":"unavailable"}; never kept by any cache.
 */
int web_healthz(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kerr e = KERR_INIT;
	long n = 0;
	int schema;

	resp->kind = KRESP_JSON;
	resp->no_store = 1;
	resp->cache_control = "no-store";
	schema = req->st ? kstore_schema_version(req->st) : -1;
	if (!req->st || schema <= 0 || kstore_count(req->st, &kreader_anonymous, &n, &e) < 0) {
		fprintf(stderr, "kyokun: healthz: the database does not answer: %s\n",
			e.msg[0] ? e.msg : !req->st ? "no connection" : "no schema version");
		resp->status = 503;
		resp->retry_after = 5;
		return kbuf_adds(&resp->body, "{\"status\":\"unavailable\"}\n") < 0 ?
			kerr_set(err, KE_NOMEM, "out of memory") : 0;
	}
	if (kbuf_addf(&resp->body, "{\"status\":\"ok\",\"schema\":%d,\"cases\":%ld}\n", schema, n) < 0)
		return kerr_set(err, KE_NOMEM, "out of memory");
	return 0;
}

static int count_none(void *ctx, const struct kcase_row *row)
{
	(void)ctx;
	(void)row;
	return 0;
}

/*
 * GET /metrics: the transport's counters (khttp_metrics) and the cases by
 * TLP.  The route is KROUTE_LOOPBACK_OR_ADMIN (route.c): the operator on
 * this machine or an admin, so the counts are of every case, as the
 * operator's command line sees them (kreader_local), not of what the
 * asker may read.  Never cached: the cache does not tell askers apart by
 * address.
 */
int web_metrics(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kmetrics *m = khttp_metrics(req);
	int rc;

	resp->kind = KRESP_JSON; /* the API's headers (no page CSP); the body is text */
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp->no_store = 1;
	resp->cache_control = "no-store";
	if (!m || !req->st)
		return kerr_set(err, KE_INVALID, "no metrics here");
	if ((rc = kmetrics_write(m, &resp->body)) < 0)
		return kerr_set(err, rc, "out of memory");
	if (kbuf_adds(&resp->body, "# HELP kyokun_cases Cases in the library, by TLP level.\n"
		      "# TYPE kyokun_cases gauge\n") < 0)
		return kerr_set(err, KE_NOMEM, "out of memory");
	for (size_t i = 0; i < sizeof(tlp_levels) / sizeof(tlp_levels[0]); i++) {
		struct kfilter f = KFILTER_LOCAL_INIT;
		long total = 0;

		f.tlp = tlp_levels[i];
		f.limit = 1;
		if ((rc = kstore_list(req->st, &f, count_none, NULL, &total, err)) < 0)
			return rc;
		if (kbuf_addf(&resp->body, "kyokun_cases{tlp=\"%s\"} %ld\n", tlp_levels[i], total) < 0)
			return kerr_set(err, KE_NOMEM, "out of memory");
	}
	return 0;
}
