/*
 * web_pdf.h - GET /cases/:id/pdf: a case as PDF (pdfdoc.h), for whoever may
 * see the case (as GET /cases/:id; 404 otherwise), with its id, source,
 * the date and its TLP on every page (web layer).
 */
#ifndef KYOKUN_WEB_PDF_H
#define KYOKUN_WEB_PDF_H

#include "http.h"

struct kerr;

int web_case_pdf(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err); /* GET /cases/:id/pdf */

#endif
