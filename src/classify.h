/*
 * classify.h - classification of a case at import: tags.event_class,
 * tags.threats and tags.sectors from the case's own text, with a lexicon
 * of the field's terms (classify.c).
 *
 * Tags the case already carries win: a non-NULL event_class, a non-empty
 * threats or sectors list is left as it is.  Threat values are those of
 * ../shared/spec/case-json.md (ddos, ransomware, brute_force, phishing_mail,
 * support_scam, unauthorized_access, vulnerability, misconfiguration,
 * hardware_failure, software_failure, third_party, and malware, phishing_site,
 * tampering, data_leak, insider); sectors are the critical infrastructure
 * fields (electricity, gas, finance, medical, water, railway, aviation,
 * airport, logistics, telecom, government, chemical, credit, petroleum, port).
 */
#ifndef KYOKUN_CLASSIFY_H
#define KYOKUN_CLASSIFY_H

struct kcase;
struct kerr;

/* Fill the missing tags of c from its text.  0, or KE_NOMEM. */
int kclassify_case(struct kcase *c, struct kerr *err);

/* The i-th threat value the classifier gives (from 0), NULL past the last. */
const char *kclassify_threat(unsigned i);

#endif
