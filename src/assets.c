/*
 * assets.c - the static files of the web application, compiled in: the
 * stylesheet, the print stylesheet, a little progressive JavaScript and the
 * icon.  They are served under /static/NAME-HASH.EXT (the hash of their
 * content) with a year of caching, so a new build is fetched at once.
 * Pages work without the script; nothing is inline (the CSP forbids it).
 */
#include "web.h"
#include "kbuf.h"
#include "kerr.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char css[] =
	":root{--ink:#1b2430;--muted:#5a6472;--line:#d9dee5;--bg:#f4f6f8;--card:#fff;"
	"--navy:#0c2340;--navy2:#183a63;--accent:#1f5fa8;--accent-ink:#174a85;--mark:#ffe98a;"
	"--lesson:#f0f6ee;--lesson-line:#5a9a4a;--radius:6px;"
	"--sans:system-ui,-apple-system,\"Segoe UI\",\"Hiragino Sans\",\"Hiragino Kaku Gothic ProN\","
	"\"Noto Sans CJK JP\",\"Noto Sans JP\",\"Yu Gothic UI\",\"Yu Gothic\",Meiryo,sans-serif;"
	"--mono:ui-monospace,\"SFMono-Regular\",\"Noto Sans Mono CJK JP\",Menlo,Consolas,monospace}\n"
	"*,*::before,*::after{box-sizing:border-box}\n"
	"html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
	"body{margin:0;background:var(--bg);color:var(--ink);font-family:var(--sans);font-size:16px;"
	"line-height:1.75;line-break:strict;overflow-wrap:anywhere;font-kerning:normal}\n"
	"h1,h2,h3{line-height:1.4;font-feature-settings:\"palt\";letter-spacing:.02em;margin:0 0 .5em}\n"
	"h1{font-size:1.7rem}h2{font-size:1.25rem}h3{font-size:1.05rem}\n"
	"p{margin:0 0 .75em}ul,ol{margin:0 0 .75em;padding-left:1.4em}li{margin:.15em 0}\n"
	"a{color:var(--accent-ink);text-underline-offset:.18em;text-decoration-thickness:1px}\n"
	"a:hover{color:var(--accent);text-decoration-thickness:2px}\n"
	":focus-visible{outline:3px solid #f2a900;outline-offset:2px;border-radius:2px}\n"
	".visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;"
	"clip:rect(0 0 0 0);white-space:nowrap}\n"
	".skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5em 1em;z-index:10}\n"
	".skip:focus{left:1em}\n"
	/* header */
	".site-header{background:var(--navy);color:#fff;border-bottom:3px solid var(--accent)}\n"
	".site-header .bar{max-width:1240px;margin:0 auto;padding:.7rem 1.25rem;display:flex;"
	"align-items:center;gap:1rem 1.25rem;flex-wrap:wrap}\n"
	".brand{display:flex;align-items:baseline;gap:.45rem;color:#fff;text-decoration:none}\n"
	".brand:hover{color:#fff}\n"
	".brand-mark{font-weight:700;font-size:1.45rem;letter-spacing:.08em}\n"
	".brand-name{font-size:.95rem;opacity:.85;letter-spacing:.06em}\n"
	".tagline{font-size:.82rem;opacity:.75;flex:0 1 auto}\n"
	".search-bar{display:flex;flex:1 1 320px;max-width:560px;margin-left:auto}\n"
	".search-bar input{flex:1;min-width:0;border:1px solid #3d5a80;border-right:0;background:#fff;"
	"color:var(--ink);padding:.45rem .7rem;font:inherit;font-size:.95rem;border-radius:var(--radius) 0 0 var(--radius)}\n"
	".search-bar button,.hero-search button{border:0;background:var(--accent);color:#fff;font:inherit;"
	"font-weight:600;padding:.45rem 1.1rem;border-radius:0 var(--radius) var(--radius) 0;cursor:pointer}\n"
	".search-bar button:hover,.hero-search button:hover{background:#2b73c4}\n"
	".site-nav{display:flex;gap:1.1rem;align-items:center;font-size:.92rem}\n"
	".search-bar+.site-nav{margin-left:0}\n"
	".site-nav a{color:#dce6f2;text-decoration:none}\n"
	".site-nav a:hover{color:#fff;text-decoration:underline}\n"
	".site-nav .lang-switch{border:1px solid #5d7ea8;border-radius:999px;padding:.1rem .75rem}\n"
	"body.home .site-nav{margin-left:auto}\n"
	/* main */
	"main{max-width:1240px;margin:0 auto;padding:1.5rem 1.25rem 3rem}\n"
	".site-footer{border-top:1px solid var(--line);color:var(--muted);font-size:.85rem;"
	"max-width:1240px;margin:0 auto;padding:1.25rem 1.25rem 2.5rem}\n"
	".site-footer p{margin:.2em 0}\n"
	".card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1.1rem 1.25rem}\n"
	".muted{color:var(--muted)}\n"
	".button{display:inline-block;background:var(--accent);color:#fff;text-decoration:none;"
	"padding:.4rem 1rem;border-radius:var(--radius);font-weight:600;border:0;font:inherit;cursor:pointer}\n"
	".button:hover{background:#2b73c4;color:#fff}\n"
	".button.secondary{background:#fff;color:var(--accent-ink);border:1px solid var(--line)}\n"
	/* home */
	".hero{background:linear-gradient(135deg,var(--navy) 0%,var(--navy2) 100%);color:#fff;"
	"border-radius:var(--radius);padding:2.2rem 2rem 2rem;margin-bottom:1.75rem}\n"
	".hero h1{font-size:1.9rem;margin-bottom:.35em}\n"
	".hero p{max-width:48em;color:#d8e2ee}\n"
	".hero-search{display:flex;max-width:760px;margin:1.2rem 0 .6rem}\n"
	".hero-search input{flex:1;min-width:0;font:inherit;font-size:1.1rem;padding:.7rem .9rem;border:0;"
	"border-radius:var(--radius) 0 0 var(--radius)}\n"
	".hero-search button{font-size:1.05rem;padding:.7rem 1.6rem}\n"
	".hero .help{font-size:.85rem;color:#b9c8da;margin:0}\n"
	".hero .stats{display:flex;gap:1.5rem;margin-top:1rem;font-size:.95rem}\n"
	".hero .stats a{color:#fff;font-weight:600;text-decoration:none;border-bottom:1px solid #6d8fba}\n"
	".hero .stats a:hover{border-bottom-color:#fff}\n"
	".home-grid{display:grid;grid-template-columns:minmax(0,1.6fr) minmax(0,1fr);gap:1.5rem}\n"
	".home-grid>section>h2,.facet-overview>h2{font-size:1.1rem;border-bottom:2px solid var(--navy);padding-bottom:.3rem}\n"
	".facet-overview{margin-bottom:1.75rem}\n"
	".facet-cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:1rem}\n"
	".facet-cols .card h3{font-size:.95rem;color:var(--muted);margin-bottom:.4rem}\n"
	/* case lists */
	".case-list{list-style:none;padding:0;margin:0}\n"
	".case-list>li{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);"
	"padding:.85rem 1.1rem;margin:0 0 .7rem}\n"
	".case-list .title{font-weight:600;font-size:1.05rem;line-height:1.5}\n"
	".meta{color:var(--muted);font-size:.85rem;display:flex;flex-wrap:wrap;gap:.2rem .9rem;margin:.2rem 0}\n"
	".snippet{margin:.35rem 0 0;font-size:.93rem}\n"
	".snippet .field{display:inline-block;font-size:.75rem;color:var(--muted);border:1px solid var(--line);"
	"border-radius:3px;padding:0 .35rem;margin-right:.4rem;line-height:1.6}\n"
	"mark{background:var(--mark);color:inherit;padding:0 .1em;border-radius:2px}\n"
	".doc-list{list-style:none;padding:0;margin:0}\n"
	".doc-list li{display:flex;justify-content:space-between;gap:1rem;padding:.45rem 0;border-bottom:1px solid var(--line)}\n"
	".doc-list .count{color:var(--muted);white-space:nowrap;font-size:.9rem}\n"
	/* facets */
	".facet{margin:0 0 1.1rem}\n"
	".facet h3{font-size:.85rem;color:var(--muted);text-transform:none;margin:0 0 .3rem;letter-spacing:.04em}\n"
	".facet ul{list-style:none;padding:0;margin:0}\n"
	".facet li{margin:0}\n"
	".facet a{display:flex;justify-content:space-between;gap:.6rem;padding:.2rem .45rem;border-radius:4px;"
	"text-decoration:none;color:var(--ink);font-size:.9rem;line-height:1.5}\n"
	".facet a:hover{background:#e8eef6}\n"
	".facet a.on{background:var(--accent);color:#fff}\n"
	".facet .n{color:var(--muted);font-variant-numeric:tabular-nums;font-size:.82rem;white-space:nowrap}\n"
	".facet a.on .n{color:#dbe7f5}\n"
	".facet details summary{cursor:pointer;color:var(--accent-ink);font-size:.85rem;padding:.2rem .45rem}\n"
	/* search page */
	".search-layout{display:grid;grid-template-columns:260px minmax(0,1fr);gap:1.75rem}\n"
	".search-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:.5rem 1rem;margin-bottom:.8rem}\n"
	".search-head h1{font-size:1.35rem;margin:0}\n"
	".search-head .count{color:var(--muted)}\n"
	".filters{display:flex;flex-wrap:wrap;gap:.4rem;margin:0 0 1rem;padding:0;list-style:none}\n"
	".chip{display:inline-flex;align-items:center;gap:.3rem;background:#e7eef7;color:var(--accent-ink);"
	"border-radius:999px;padding:.1rem .75rem;font-size:.85rem;text-decoration:none;line-height:1.7}\n"
	"a.chip:hover{background:#d6e3f3}\n"
	".chip .x{font-weight:700}\n"
	".partial{font-size:.75rem;color:#7a5200;background:#fff3d1;border-radius:3px;padding:0 .4rem}\n"
	".notice{background:#fff7e0;border:1px solid #f0d48a;border-radius:var(--radius);padding:.7rem 1rem}\n"
	".pager{display:flex;justify-content:space-between;align-items:center;gap:1rem;margin-top:1.25rem}\n"
	".pager .disabled{visibility:hidden}\n"
	/* case page */
	".crumbs{font-size:.85rem;color:var(--muted);margin-bottom:.9rem}\n"
	".crumbs ol{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.3rem}\n"
	".crumbs li+li::before{content:\"›\";margin-right:.3rem;color:#9aa4b1}\n"
	".case-layout{display:grid;grid-template-columns:minmax(0,1fr) 300px;gap:1.75rem;align-items:start}\n"
	".case{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1.75rem 2rem 2rem}\n"
	".case-head{border-bottom:1px solid var(--line);padding-bottom:1rem;margin-bottom:1.4rem}\n"
	".kicker{display:inline-block;font-size:.8rem;font-weight:600;color:var(--accent-ink);background:#e7eef7;"
	"border-radius:3px;padding:.05rem .55rem;margin-bottom:.6rem}\n"
	".case-head h1{font-size:1.65rem;margin-bottom:.8rem}\n"
	".case-meta{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0;font-size:.9rem}\n"
	".case-meta dt{color:var(--muted);font-weight:400}\n"
	".case-meta dd{margin:0}\n"
	".case section{margin:0 0 1.6rem}\n"
	".case h2{font-size:1.12rem;padding:.15rem 0 .15rem .7rem;border-left:4px solid var(--navy);margin:0 0 .7rem}\n"
	".case .overview ul{padding-left:1.2em}\n"
	".lessons-box{background:var(--lesson);border:1px solid #cfe3c8;border-left:4px solid var(--lesson-line);"
	"border-radius:var(--radius);padding:.9rem 1.2rem .4rem}\n"
	".case .lessons-box h2{border:0;padding:0;color:#2f5d24}\n"
	".case-section p{text-indent:0}\n"
	".case-section ul{padding-left:1.2em}\n"
	".case-section ul li::marker{color:var(--accent)}\n"
	".table-scroll{overflow-x:auto;border:1px solid var(--line);border-radius:var(--radius)}\n"
	"table.timeline{border-collapse:collapse;width:100%;font-size:.88rem;line-height:1.6}\n"
	".timeline th,.timeline td{border-bottom:1px solid var(--line);padding:.45rem .6rem;text-align:left;vertical-align:top}\n"
	".timeline td+td,.timeline th+th{border-left:1px solid #eef1f4}\n"
	".timeline thead th{background:#eef2f7;font-weight:600;font-size:.82rem;color:#344154;white-space:nowrap}\n"
	".timeline tr.day th{background:var(--navy);color:#fff;font-size:.82rem;padding:.25rem .6rem;letter-spacing:.05em}\n"
	".timeline td.when{white-space:nowrap;color:#344154;font-variant-numeric:tabular-nums;width:8.5em}\n"
	".timeline td.actor{white-space:nowrap;color:var(--muted)}\n"
	".timeline td:empty{background:#fafbfc}\n"
	"table.timeline.matrix{min-width:46rem}\n"
	".timeline.matrix td{min-width:8.5em}\n"
	".tags{display:flex;flex-wrap:wrap;gap:.4rem}\n"
	".tag-group{margin:0 0 .5rem}\n"
	".tag-group h3{font-size:.8rem;color:var(--muted);margin:0 0 .25rem}\n"
	".tlp{display:inline-block;background:#000;font-weight:700;font-size:.78rem;letter-spacing:.04em;"
	"padding:0 .45rem;border-radius:3px;line-height:1.7;font-family:var(--mono)}\n"
	".tlp-clear{color:#fff}.tlp-green{color:#33ff00}.tlp-amber,.tlp-amber-strict{color:#ffc000}.tlp-red{color:#ff2b2b}\n"
	".case-side{display:flex;flex-direction:column;gap:1rem;position:sticky;top:1rem}\n"
	".side-box{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:.9rem 1rem}\n"
	".side-box h2{font-size:.92rem;margin:0 0 .5rem;color:#344154}\n"
	".side-box ul,.side-box ol{margin:0;padding-left:1.1em;font-size:.9rem}\n"
	".tools{list-style:none;padding:0!important;display:flex;flex-wrap:wrap;gap:.4rem}\n"
	".tools a,.tools button{font-size:.85rem}\n"
	".similar{list-style:none;padding:0!important}\n"
	".similar li{padding:.5rem 0;border-top:1px solid var(--line);line-height:1.5}\n"
	".similar li:first-child{border-top:0;padding-top:0}\n"
	".similar .meta{font-size:.78rem}\n"
	".shared{font-size:.75rem;color:var(--muted)}\n"
	".same-doc{list-style:none;padding-left:0!important}\n"
	".same-doc li{padding:.15rem 0;line-height:1.5}\n"
	".toc a{text-decoration:none}\n"
	".toc a:hover{text-decoration:underline}\n"
	/* document page */
	".doc-head{margin-bottom:1.5rem}\n"
	".doc-head h1{font-size:1.5rem}\n"
	".category-group{margin-bottom:2rem}\n"
	".category-group>h2{font-size:1.1rem;border-bottom:2px solid var(--navy);padding-bottom:.3rem}\n"
	".doc-case{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);"
	"padding:1rem 1.25rem;margin-bottom:.8rem;display:grid;grid-template-columns:4.5rem minmax(0,1fr);gap:.2rem 1rem}\n"
	".doc-case .num{font-weight:700;color:var(--navy);font-size:.95rem;white-space:nowrap}\n"
	".doc-case h3{margin:0 0 .3rem;font-size:1.05rem}\n"
	".doc-case .lessons{margin:.3rem 0 0;font-size:.9rem}\n"
	".doc-case .lessons li::marker{color:var(--lesson-line)}\n"
	"table.data{border-collapse:collapse;width:100%;background:var(--card);font-size:.92rem}\n"
	".data th,.data td{border-bottom:1px solid var(--line);padding:.5rem .7rem;text-align:left;vertical-align:top}\n"
	".data thead th{background:#eef2f7;font-size:.85rem}\n"
	".data td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	".changes{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:.3rem}\n"
	/* error page */
	".error-page{max-width:40em;margin:2rem auto;text-align:center}\n"
	".error-code{font-size:3.5rem;font-weight:700;color:#c3cbd6;margin:0;line-height:1.1}\n"
	/* responsive */
	"@media (max-width:960px){.case-layout,.search-layout,.home-grid{grid-template-columns:minmax(0,1fr)}"
	".case-side{position:static}.case{padding:1.25rem 1.1rem}.search-layout .facets{order:2}}\n"
	"@media (max-width:640px){body{font-size:15px}.tagline{display:none}.hero{padding:1.4rem 1.1rem}"
	".hero h1{font-size:1.45rem}.case-head h1{font-size:1.35rem}.case-meta{grid-template-columns:1fr}"
	".case-meta dt{margin-top:.3rem}.doc-case{grid-template-columns:1fr}.site-nav{gap:.8rem}"
	"main{padding:1rem .8rem 2rem}}\n"
	"@media (prefers-reduced-motion:no-preference){html{scroll-behavior:smooth}}\n";

static const char print_css[] =
	"@page{size:A4;margin:16mm 15mm 18mm}\n"
	"html,body{background:#fff!important;color:#000!important;font-size:10.5pt;line-height:1.65}\n"
	".site-header,.site-footer,.case-side,.crumbs,.skip,.search-bar,.hero-search,.facets,.pager,"
	".tools,button,.no-print{display:none!important}\n"
	"main{max-width:none;padding:0;margin:0}\n"
	".case-layout,.search-layout,.home-grid{display:block}\n"
	".case{border:0;padding:0;border-radius:0}\n"
	".case-head{border-bottom:1.5pt solid #000}\n"
	".case-head h1{font-size:17pt}\n"
	".kicker{background:none;border:1px solid #000;color:#000}\n"
	".case h2{border-left:3pt solid #000;font-size:12pt;break-after:avoid;page-break-after:avoid}\n"
	".case section{break-inside:auto}\n"
	".case-section p,.case-section li,.lessons-box li{orphans:3;widows:3}\n"
	".lessons-box{background:none;border:1pt solid #000;break-inside:avoid}\n"
	".case .lessons-box h2{color:#000}\n"
	".table-scroll{overflow:visible;border:0}\n"
	"table.timeline{font-size:9pt;border:1pt solid #000}\n"
	".timeline th,.timeline td{border:.5pt solid #777!important}\n"
	".timeline thead{display:table-header-group}\n"
	".timeline tr{break-inside:avoid;page-break-inside:avoid}\n"
	".timeline tr.day th{background:#e6e6e6!important;color:#000!important}\n"
	".timeline thead th{background:#f2f2f2!important}\n"
	"a{color:#000;text-decoration:none}\n"
	"mark{background:none;font-weight:700}\n"
	".tlp{border:1pt solid #000;print-color-adjust:exact;-webkit-print-color-adjust:exact}\n"
	".print-only{display:block!important}\n";

static const char js[] =
	"/* kyokun: small progressive enhancements; every page works without them. */\n"
	"(function () {\n"
	"\t'use strict';\n"
	"\tdocument.querySelectorAll('[data-action=\"print\"]').forEach(function (b) {\n"
	"\t\tb.hidden = false;\n"
	"\t\tb.addEventListener('click', function () { window.print(); });\n"
	"\t});\n"
	"\t/* '/' focuses the search box, as in many tools */\n"
	"\tdocument.addEventListener('keydown', function (e) {\n"
	"\t\tif (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;\n"
	"\t\tvar t = e.target && e.target.tagName;\n"
	"\t\tif (t === 'INPUT' || t === 'TEXTAREA' || t === 'SELECT') return;\n"
	"\t\tvar q = document.querySelector('input[type=\"search\"]');\n"
	"\t\tif (q) { e.preventDefault(); q.focus(); q.select(); }\n"
	"\t});\n"
	"\t/* an empty search does nothing rather than load an error */\n"
	"\tdocument.querySelectorAll('form[role=\"search\"]').forEach(function (f) {\n"
	"\t\tf.addEventListener('submit', function (e) {\n"
	"\t\t\tvar q = f.querySelector('input[name=\"q\"]');\n"
	"\t\t\tif (q && !q.value.trim() && !f.querySelector('input[type=\"hidden\"][data-filter]')) {\n"
	"\t\t\t\te.preventDefault(); q.focus();\n"
	"\t\t\t}\n"
	"\t\t});\n"
	"\t});\n"
	"})();\n";

static const char icon[] =
	"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">"
	"<rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#0c2340\"/>"
	"<path d=\"M6 9c3.5-1.5 7-1.5 10 1v14c-3-2.5-6.5-2.5-10-1z\" fill=\"#fff\"/>"
	"<path d=\"M26 9c-3.5-1.5-7-1.5-10 1v14c3-2.5 6.5-2.5 10-1z\" fill=\"#9cc3ef\"/>"
	"</svg>\n";

struct asset {
	const char *name;   /* "kyokun.css" */
	const char *type;
	const char *data;
	size_t len;
	char url[64];       /* "/static/kyokun-1a2b3c4d.css" */
	char file[48];      /* "kyokun-1a2b3c4d.css" */
	char etag[24];
};

static struct asset assets[] = {
	{ "kyokun.css", "text/css; charset=utf-8", css, sizeof(css) - 1, "", "", "" },
	{ "print.css", "text/css; charset=utf-8", print_css, sizeof(print_css) - 1, "", "", "" },
	{ "kyokun.js", "text/javascript; charset=utf-8", js, sizeof(js) - 1, "", "", "" },
	{ "icon.svg", "image/svg+xml", icon, sizeof(icon) - 1, "", "", "" },
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
