/*
 * exchange_stix.c - the stix exchange format (exchange.h).  A stub until it is written.
 */
#include "exchange.h"
#include "kerr.h"

int kexchange_stix_begin(const struct kexchange_opts *o, void **state, struct kbuf *out, struct kerr *err)
{
	*state = NULL;
	return kerr_set(err, KE_USAGE, "stix: not written yet");
}

int kexchange_stix_case(void *state, const struct kcase *c, struct kbuf *out, struct kerr *err)
{
	return kerr_set(err, KE_USAGE, "stix: not written yet");
}

int kexchange_stix_end(void *state, struct kbuf *out, struct kerr *err)
{
	return 0;
}

int kexchange_stix_import(const char *in, size_t len, struct kcase_list *l, struct kerr *err)
{
	return kerr_set(err, KE_USAGE, "stix: not written yet");
}

int kexchange_stix_sniff(const char *in, size_t len)
{
	return 0;
}
