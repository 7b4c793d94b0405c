/*
 * exchange_misp.c - the misp exchange format (exchange.h).  A stub until it is written.
 */
#include "exchange.h"
#include "kerr.h"

int kexchange_misp_begin(const struct kexchange_opts *o, void **state, struct kbuf *out, struct kerr *err)
{
	*state = NULL;
	return kerr_set(err, KE_USAGE, "misp: not written yet");
}

int kexchange_misp_case(void *state, const struct kcase *c, struct kbuf *out, struct kerr *err)
{
	return kerr_set(err, KE_USAGE, "misp: not written yet");
}

int kexchange_misp_end(void *state, struct kbuf *out, struct kerr *err)
{
	return 0;
}

int kexchange_misp_import(const char *in, size_t len, struct kcase_list *l, struct kerr *err)
{
	return kerr_set(err, KE_USAGE, "misp: not written yet");
}

int kexchange_misp_sniff(const char *in, size_t len)
{
	return 0;
}
