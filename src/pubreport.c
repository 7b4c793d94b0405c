/*
 * pubreport.c - published reports.  Seam from issue 13: h-publish owns it.
 */
#include <stdlib.h>
#include <string.h>

#include "pubreport.h"

void kpubreport_free(struct kpubreport *r)
{
	free(r->name);
	free(r->title);
	free(r->period);
	free(r->publisher);
	free(r->date);
	free(r->tlp);
	free(r->intro);
	kcase_list_free(&r->cases);
	ktheme_list_free(&r->themes);
	memset(r, 0, sizeof(*r));
}
