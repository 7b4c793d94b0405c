/*
 * theme.c - the 総括's themes.  STUB from the issue-13 seam: h-themes
 * replaces it.  Gives no themes.
 */
#include <stdlib.h>
#include <string.h>

#include "kerr.h"
#include "theme.h"

void ktheme_list_free(struct ktheme_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t j = 0; j < l->v[i].n; j++)
			free(l->v[i].lessons[j].text);
		free(l->v[i].lessons);
		free(l->v[i].key);
		free(l->v[i].name);
		free(l->v[i].name_en);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int ktheme_compute(const struct kcase *cases, size_t n, const char *edits, struct ktheme_list *out,
		   struct kerr *err)
{
	(void)cases;
	(void)n;
	(void)edits;
	(void)out;
	(void)err;
	return 0;
}
