/*
 * pdfdoc.c - PDF output.  STUB from the issue-13 seam: h-pdf replaces it.
 */
#include "kerr.h"
#include "pdfdoc.h"

int kpdfdoc_report(const struct kpubreport *r, struct kbuf *out, struct kerr *err)
{
	(void)r;
	(void)out;
	return kerr_set(err, KE_UNSUPPORTED, "PDF output is not built yet");
}

int kpdfdoc_case(const struct kcase *c, const struct kpdfdoc_meta *m, struct kbuf *out, struct kerr *err)
{
	(void)c;
	(void)m;
	(void)out;
	return kerr_set(err, KE_UNSUPPORTED, "PDF output is not built yet");
}
