/*
 * web_publish.h - published reports on the site (issue 13): the
 * publishers' pages that make one (choose -> preview -> publish) and the
 * readers' pages that show them (/reports), each report visible to the
 * readers its TLP allows (reader.h kreader_may_see_level on the report's
 * TLP, in web_publish.c's one function report_visible()).
 */
#ifndef KYOKUN_WEB_PUBLISH_H
#define KYOKUN_WEB_PUBLISH_H

#include "http.h"

struct kerr;

/* GET /publish: the form that chooses the cases (KCAP_CASE_PUBLISH). */
int web_publish_form(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
/* POST /publish/preview: the report as it will be, and the button that publishes it. */
int web_publish_preview(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
/* POST /publish: make it, keep it in the database, 303 to /reports/NAME. */
int web_publish_post(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);

/* GET /reports: the reports the reader may see. */
int web_reports(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
/* GET /reports/:name, /reports/:name/cases/:id, /reports/:name/report.pdf, /reports/:name/report.md */
int web_report(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_report_case(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_report_pdf(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_report_md(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);

#endif
