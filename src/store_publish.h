/*
 * store_publish.h - published reports (報告書) as the store keeps them: the
 * report's name, title, period, TLP, date, who published it, its case ids
 * in order, and the files that were generated (index.html, cases/ID.html,
 * report.md, report.pdf, the stylesheet, and the pages the web shows), so
 * the web serves a report exactly as it was published (the neutral store
 * API; SQL in store_sqlite_publish.c, migration 12).
 *
 * Who may read a report is decided by the caller with reader.h's
 * kreader_may_see_level() on the report's TLP; the store filters nothing.
 */
#ifndef KYOKUN_STORE_PUBLISH_H
#define KYOKUN_STORE_PUBLISH_H

#include <stddef.h>

#include "case.h"
#include "store.h"

struct kstore;
struct kerr;
struct kbuf;

/* One generated file: its path in the report ("index.html", "cases/C-1.html"), MIME type, bytes. */
struct kpubfile {
	char *path;
	char *type;
	char *data;
	size_t len;
};

struct kpubfiles {
	struct kpubfile *v;
	size_t n, alloc;
};

/* Append a file (copies path and type, takes data, which must be malloc'ed). KE_NOMEM (data freed). */
int kpubfiles_add(struct kpubfiles *f, const char *path, const char *type, char *data, size_t len);
const struct kpubfile *kpubfiles_find(const struct kpubfiles *f, const char *path);
void kpubfiles_free(struct kpubfiles *f);

/* A published report's row. */
struct kpubreport_row {
	const char *name;
	const char *title;
	const char *period;   /* or NULL */
	const char *tlp;
	const char *date;     /* YYYY-MM-DD, the date printed */
	const char *who;      /* who published it (a login, local:OSUSER), or NULL */
	const char *created;  /* when it was stored (UTC, RFC 3339) */
	long ncases;
};

/* What kstore_pubreport_put() stores with the files. */
struct kpubreport_meta {
	const char *name, *title, *period, *tlp, *date;
	const struct kstrv *ids; /* the case ids in the report's order */
};

/*
 * Store a report and its files in one transaction, audited
 * (report.publish, report:NAME); who is the actor (kstore_set_actor).
 * KE_EXISTS if a report of that name exists, unless replace (then the
 * old one and its files are replaced, audited report.replace).
 * KE_INVALID without a name, title, TLP or date.
 */
int kstore_pubreport_put(struct kstore *st, const struct kpubreport_meta *m, const struct kpubfiles *files,
			 int replace, struct kerr *err);

/* Every report, newest date first (the caller filters by TLP). */
typedef int (*kstore_pubreport_cb)(void *ctx, const struct kpubreport_row *r);
int kstore_pubreport_list(struct kstore *st, kstore_pubreport_cb cb, void *ctx, struct kerr *err);

/* One report's row given to cb (KE_NOTFOUND if none). */
int kstore_pubreport_get(struct kstore *st, const char *name, kstore_pubreport_cb cb, void *ctx,
			 struct kerr *err);

/* The case ids of a report in order, appended to ids (KE_NOTFOUND if no such report). */
int kstore_pubreport_cases(struct kstore *st, const char *name, struct kstrv *ids, struct kerr *err);

/*
 * One file of a report: its bytes appended to data (NULL: only whether
 * it is there) and its MIME type into *type (malloc'ed; may be NULL to
 * skip).  KE_NOTFOUND if the report or file is absent.
 */
int kstore_pubreport_file(struct kstore *st, const char *name, const char *path, struct kbuf *data,
			  char **type, struct kerr *err);

/* Delete a report and its files (audited report.delete).  KE_NOTFOUND if absent. */
int kstore_pubreport_delete(struct kstore *st, const char *name, struct kerr *err);

#endif
