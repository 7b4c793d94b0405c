/*
 * web_themes.h - the 総括 editor for analysts (issue 13): GET /themes
 * (?period=2025, ?select=ID,..., or ?document=NAME; &scope=S to keep the
 * edits elsewhere) shows the themes of those cases with their lessons and
 * the cases they come from, 共通 / 固有 on each lesson, forms to rename a
 * theme, merge two and move a lesson to another or a new theme, and the
 * edits kept with who and when; POST /themes/edits keeps one edit, POST
 * /themes/undo forgets the latest (both 303 back to the page).  For
 * KCAP_CASE_EDIT (analysts, publishers); no JavaScript needed.
 */
#ifndef KYOKUN_WEB_THEMES_H
#define KYOKUN_WEB_THEMES_H

#include "web.h"

int web_themes(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_themes_edit(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_themes_undo(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);

#endif
