/*
 * assets.c - the static files of the web application, compiled in from
 * assets/ (see tools/embed.c): the stylesheet, the print stylesheet, a
 * little progressive JavaScript and the icon.  They are served under /static/NAME-HASH.EXT (the hash of their
 * content) with a year of caching, so a new build is fetched at once.
 * Pages work without the script; nothing is inline (the CSP forbids it).
 */
#include "web.h"
#include "embedded.h"
#include "kbuf.h"
#include "kerr.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct asset {
	const char *name;   /* "kyokun.css" */
	const char *type;
	const char *data;
	size_t len;
	char url[64];       /* "/static/kyokun-1a2b3c4d.css" */
	char file[48];      /* "kyokun-1a2b3c4d.css" */
	char etag[24];
};

/* the files under assets/, put into byte arrays by tools/embed.c */
#define EMBEDDED(sym) (const char *)sym, KEMBED_LEN(sym)

static struct asset assets[] = {
	{ "kyokun.css", "text/css; charset=utf-8", EMBEDDED(kembed_kyokun_css), "", "", "" },
	{ "print.css", "text/css; charset=utf-8", EMBEDDED(kembed_print_css), "", "", "" },
	{ "report.css", "text/css; charset=utf-8", EMBEDDED(kembed_report_css), "", "", "" },
	{ "kyokun.js", "text/javascript; charset=utf-8", EMBEDDED(kembed_kyokun_js), "", "", "" },
	{ "icon.svg", "image/svg+xml", EMBEDDED(kembed_icon_svg), "", "", "" },
};

#define NASSETS (sizeof(assets) / sizeof(assets[0]))

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void name_assets(void)
{
	for (size_t i = 0; i < NASSETS; i++) {
		struct asset *a = &assets[i];
		const char *dot = strrchr(a->name, '.');
		uint32_t h = 2166136261u;

		for (size_t k = 0; k < a->len; k++) {
			h ^= (unsigned char)a->data[k];
			h *= 16777619u;
		}
		snprintf(a->file, sizeof(a->file), "%.*s-%08x%s", (int)(dot - a->name), a->name, h, dot);
		snprintf(a->url, sizeof(a->url), "/static/%.*s-%08x%s", (int)(dot - a->name), a->name, h, dot);
		snprintf(a->etag, sizeof(a->etag), "\"%08x\"", h);
	}
}

const char *web_asset_url(const char *name)
{
	pthread_once(&once, name_assets);
	for (size_t i = 0; i < NASSETS; i++)
		if (!strcmp(assets[i].name, name))
			return assets[i].url;
	return "/static/missing";
}

int web_static(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	const char *want = req->args[0];

	pthread_once(&once, name_assets);
	for (size_t i = 0; i < NASSETS; i++) {
		struct asset *a = &assets[i];
		int hashed = !strcmp(want, a->file);

		if (!hashed && strcmp(want, a->name))
			continue;
		if (kbuf_add(&resp->body, a->data, a->len) < 0)
			return kerr_set(err, KE_NOMEM, "out of memory");
		resp->kind = KRESP_STATIC;
		resp->content_type = a->type;
		/* the plain name may change with the next build: revalidate it */
		resp->cache_control = hashed ? "public, max-age=31536000, immutable" : "no-cache";
		snprintf(resp->etag, sizeof(resp->etag), "%s", a->etag);
		return 0;
	}
	return kerr_set(err, KE_NOTFOUND, "%s", ""); /* the 404 page says it all */
}
