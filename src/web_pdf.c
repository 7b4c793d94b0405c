/*
 * web_pdf.c - GET /cases/:id/pdf (see web_pdf.h).
 */
#include "web_pdf.h"

#include <stdio.h>
#include <time.h>

#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "pdfdoc.h"
#include "web.h"

int web_case_pdf(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kcase c;
	struct kpdfdoc_meta m = { NULL, NULL };
	char date[16] = "";
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	kcase_init(&c);
	/* who may not see the case gets a 404, exactly as for its page */
	rc = web_load_case(req, req->args[0], &c, err);
	if (rc < 0)
		goto out;
	if (gmtime_r(&now, &tm))
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	m.generated = date;
	kbuf_reset(&resp->body);
	rc = kpdfdoc_case(&c, &m, &resp->body, err);
	if (rc < 0)
		goto out;
	resp->content_type = "application/pdf";
	/* ids are [A-Za-z0-9._~-] (kcase_validate): safe inside the quotes */
	snprintf(resp->disposition, sizeof(resp->disposition), "inline; filename=\"%.120s.pdf\"", c.id);
	resp->content_disposition = resp->disposition;
	resp->kind = KRESP_HTML;
	/* what a reader may see: never kept in a shared cache */
	resp->no_store = 1;
	resp->cache_control = "private, no-store";
out:
	kcase_free(&c);
	return rc;
}
