/*
 * redact.c - anonymisation checks and labels.  STUB from the issue-13 seam:
 * h-redact replaces it.  Finds nothing, replaces nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "kerr.h"
#include "redact.h"

static const char *const kind_keys[KFIND__N] = { "name", "person", "email", "ipv4", "ipv6",
						  "domain", "url", "phone", "address", "reid" };
static const char *const kind_ja[KFIND__N] = { "組織名", "人名", "メールアドレス", "IPv4アドレス",
						"IPv6アドレス", "ドメイン名", "URL", "電話番号", "住所",
						"再識別リスク" };

const char *kfinding_kind_key(int kind)
{
	return kind >= 0 && kind < KFIND__N ? kind_keys[kind] : NULL;
}

const char *kfinding_kind_label_ja(int kind)
{
	return kind >= 0 && kind < KFIND__N ? kind_ja[kind] : NULL;
}

int kfinding_kind_from_key(const char *key)
{
	for (int i = 0; key && i < KFIND__N; i++)
		if (!strcmp(key, kind_keys[i]))
			return i;
	return -1;
}

void kfinding_list_free(struct kfinding_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].field);
		free(l->v[i].text);
		free(l->v[i].suggestion);
		free(l->v[i].label);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int kredact_check(const struct kcase *c, const struct kstrv *names, struct kfinding_list *out,
		  struct kerr *err)
{
	(void)c;
	(void)names;
	(void)out;
	(void)err;
	return 0;
}

int kredact_apply(struct kcase *c, const struct kstrv *names, size_t *replaced, struct kerr *err)
{
	(void)c;
	(void)names;
	(void)err;
	if (replaced)
		*replaced = 0;
	return 0;
}
