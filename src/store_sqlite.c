/*
 * store_sqlite.c - the SQLite backend of the store: opening (schema and
 * migrations, read-only and immutable opens), transactions, cases and
 * their revisions, listings, the change counter, the check, and the
 * backend table kstore_be_sqlite (store_be.h) through which store.c
 * reaches it.  Its search is in store_sqlite_search.c, its facet columns
 * in store_sqlite_facet.c.  Bound parameters only.
 */
#include "store.h"
#include "store_sqlite.h"
#include "account.h"
#include "case.h"
#include "case_json.h"
#include "kbuf.h"
#include "kerr.h"
#include "tokenizer.h"

#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void ksqlite_rollback(struct kstore *kst);

/* Prepared statements kept for the life of the connection. */
enum {
	S_FIND,
	S_INSERT,
	S_UPDATE,
	S_SAVE_REV,
	S_DEL_TAGS,
	S_ADD_TAG,
	S_GET,
	S_TEXT,
	S_FTS_ADD,
	S_FTS_DEL,
	S_BATCH,
	S_TOUCH,
	S_DEL_RECIPIENTS,
	S_ADD_RECIPIENT,
	S_DRAFT_FIND,
	S__N
};

static const char *const stmt_sql[S__N] = {
	[S_FIND] = "SELECT rid, revision, body, updated, batch, author FROM cases WHERE id = ?1",
	[S_INSERT] = "INSERT INTO cases(id, title, document, year, case_number, category, event_class,"
		     " reader_level, tlp, body, revision, created, updated, batch, owner, author)"
		     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?14, ?11, ?11, ?12, ?13, ?15)",
	[S_UPDATE] = "UPDATE cases SET title = ?2, document = ?3, year = ?4, case_number = ?5,"
		     " category = ?6, event_class = ?7, reader_level = ?8, tlp = ?9, body = ?10,"
		     " revision = revision + 1, updated = ?11, batch = ?12, owner = ?13, author = ?15"
		     " WHERE rid = ?1",
	[S_SAVE_REV] = "INSERT OR REPLACE INTO revisions(id, revision, body, saved, author, draft)"
		       " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[S_DRAFT_FIND] = "SELECT 1 FROM case_drafts WHERE id = ?1",
	[S_DEL_TAGS] = "DELETE FROM case_tags WHERE rid = ?1",
	[S_ADD_TAG] = "INSERT OR IGNORE INTO case_tags(rid, kind, value) VALUES(?1, ?2, ?3)",
	[S_DEL_RECIPIENTS] = "DELETE FROM case_recipients WHERE rid = ?1",
	[S_ADD_RECIPIENT] = "INSERT OR IGNORE INTO case_recipients(rid, login) VALUES(?1, ?2)",
	[S_GET] = "SELECT body FROM cases WHERE id = ?1",
	[S_TEXT] = "INSERT INTO case_text(rid, title, summary, lessons, body, timeline, meta)"
		   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(rid) DO UPDATE SET"
		   " title = ?2, summary = ?3, lessons = ?4, body = ?5, timeline = ?6, meta = ?7",
	[S_BATCH] = "UPDATE meta SET value = value + 1 WHERE key = 'batch' RETURNING value",
	[S_TOUCH] = "UPDATE cases SET batch = ?2 WHERE rid = ?1",
	[S_FTS_ADD] = "INSERT INTO case_fts(rowid, title, summary, lessons, body, timeline, meta)"
		      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_FTS_DEL] = "INSERT INTO case_fts(case_fts, rowid, title, summary, lessons, body, timeline, meta)"
		      " SELECT 'delete', rid, title, summary, lessons, body, timeline, meta"
		      " FROM case_text WHERE rid = ?1",
};


_Static_assert(S__N <= KSQLITE_NSTMT, "raise KSQLITE_NSTMT");

/* ksqlite_case_changes(): what marks a write of a case, and what its commit writes */
static const char case_bump_sql[] = "INSERT INTO meta(key, value) VALUES('cases', random())"
				    " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
static void case_hook(void *ctx, int op, const char *db, const char *table, sqlite3_int64 rowid);

/* ---- schema ------------------------------------------------------------ */

static const char *const migrations[] = {
	/* 1: cases, their revisions and tags */
	"CREATE TABLE cases("
	"  rid INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  document TEXT,"
	"  year INTEGER,"
	"  case_number INTEGER,"
	"  category TEXT,"
	"  event_class TEXT,"
	"  reader_level TEXT,"
	"  tlp TEXT NOT NULL CHECK (tlp IN ('clear','green','amber','amber+strict','red')),"
	"  body TEXT NOT NULL,"
	"  revision INTEGER NOT NULL DEFAULT 1,"
	"  created TEXT NOT NULL,"
	"  updated TEXT NOT NULL,"
	"  batch INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX cases_document ON cases(document, case_number);"
	"CREATE INDEX cases_year ON cases(year);"
	"CREATE INDEX cases_category ON cases(category);"
	"CREATE INDEX cases_created ON cases(created);"
	"CREATE TABLE revisions("
	"  id TEXT NOT NULL,"
	"  revision INTEGER NOT NULL,"
	"  body TEXT NOT NULL,"
	"  saved TEXT NOT NULL,"
	"  PRIMARY KEY(id, revision)"
	") WITHOUT ROWID;"
	"CREATE TABLE case_tags("
	"  rid INTEGER NOT NULL REFERENCES cases(rid) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY(rid, kind, value)"
	") WITHOUT ROWID;"
	"CREATE INDEX case_tags_value ON case_tags(kind, value);",

	/*
	 * 2: full-text search.  case_text holds the searchable text of each case
	 * in plain columns (readable by any sqlite3 shell); case_fts indexes it
	 * with the "kyokun" tokenizer (tokenizer.c) as an external-content table.
	 * put_text() keeps the two in step.  (Not triggers: a statement that
	 * fires a trigger opens a savepoint, and FTS5 flushes its pending terms
	 * at every savepoint, which made bulk loads three times slower.)
	 */
	"CREATE TABLE case_text("
	"  rid INTEGER PRIMARY KEY REFERENCES cases(rid) ON DELETE CASCADE,"
	"  title TEXT NOT NULL DEFAULT '',"
	"  summary TEXT NOT NULL DEFAULT '',"
	"  lessons TEXT NOT NULL DEFAULT '',"
	"  body TEXT NOT NULL DEFAULT '',"
	"  timeline TEXT NOT NULL DEFAULT '',"
	"  meta TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE VIRTUAL TABLE case_fts USING fts5(title, summary, lessons, body, timeline, meta,"
	"  content='case_text', content_rowid='rid', tokenize='kyokun');"
	"INSERT INTO case_text(rid) SELECT rid FROM cases;"
	"INSERT INTO case_fts(case_fts) VALUES('rebuild');",

	/* 3: small settings and counters of the store itself */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"INSERT INTO meta(key, value) SELECT 'batch', coalesce(max(batch), 0) FROM cases;",

	/*
	 * 4: FTS5 keeps up to 64 MB of new terms in memory before writing a
	 * segment (default 1 MB): a bulk add writes fewer, larger segments and
	 * merges less (about 10% faster at 20,000 cases).  Only a transaction
	 * that adds that much text holds that much.
	 */
	"INSERT INTO case_fts(case_fts, rank) VALUES('hashsize', 67108864);",

	/*
	 * 5: the short columns facets and filters read, apart from the cases'
	 * bodies: a search reads them all at once from here (store_sqlite_facet.c).
	 * rid first, so that adding cases appends to it.
	 */
	"CREATE INDEX cases_facets ON cases(rid, tlp, category, document, year, event_class, reader_level);",

	/*
	 * 6: accounts (issue 11).  Organisations and their sectors, users
	 * (role by name; password: an argon2id encoded hash with its
	 * parameters, NULL when the user cannot sign in), sessions and API
	 * tokens stored only as SHA-256 hashes of the secret, failed sign-ins
	 * by key ("user:LOGIN", "addr:ADDRESS") for throttling, and the audit
	 * log, which triggers keep append-only.  Times are UTC ISO 8601
	 * ("2026-12-03T20:56:12Z"), compared as text.
	 */
	"CREATE TABLE orgs("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('operator','ministry','centre','other')),"
	"  created TEXT NOT NULL"
	");"
	"CREATE TABLE org_sectors("
	"  org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
	"  sector TEXT NOT NULL,"
	"  PRIMARY KEY(org_id, sector)"
	") WITHOUT ROWID;"
	"CREATE TABLE users("
	"  id INTEGER PRIMARY KEY,"
	"  login TEXT NOT NULL UNIQUE,"
	"  display_name TEXT NOT NULL DEFAULT '',"
	"  email TEXT NOT NULL DEFAULT '',"
	"  org_id INTEGER REFERENCES orgs(id),"
	"  role TEXT NOT NULL CHECK (role IN ('reporter','liaison','analyst','publisher','admin')),"
	"  password TEXT,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created TEXT NOT NULL,"
	"  updated TEXT NOT NULL"
	");"
	"CREATE INDEX users_org ON users(org_id);"
	"CREATE TABLE sessions("
	"  hash TEXT PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  csrf TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  seen TEXT NOT NULL,"
	"  expires TEXT NOT NULL,"
	"  address TEXT NOT NULL DEFAULT ''"
	") WITHOUT ROWID;"
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"CREATE TABLE tokens("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  hash TEXT NOT NULL UNIQUE,"
	"  prefix TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  expires TEXT,"
	"  used TEXT,"
	"  revoked TEXT"
	");"
	"CREATE INDEX tokens_user ON tokens(user_id);"
	"CREATE TABLE signin_failures("
	"  key TEXT PRIMARY KEY,"
	"  failures INTEGER NOT NULL,"
	"  last TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE audit("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  user_id INTEGER,"
	"  actor TEXT NOT NULL,"
	"  address TEXT NOT NULL DEFAULT '',"
	"  action TEXT NOT NULL,"
	"  object TEXT NOT NULL DEFAULT '',"
	"  detail TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX audit_at ON audit(at);"
	"CREATE INDEX audit_actor ON audit(actor, at);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",

	/*
	 * 7: who a case belongs to and who it names (issue 11): the owning
	 * organisation by name (as the interchange JSON gives it: the
	 * organisation need not exist in this database) and the logins named
	 * as recipients.  The TLP filters read these (kreader_level_rule).
	 */
	"ALTER TABLE cases ADD COLUMN owner TEXT;"
	"CREATE INDEX cases_owner ON cases(owner, tlp);"
	"CREATE TABLE case_recipients("
	"  rid INTEGER NOT NULL REFERENCES cases(rid) ON DELETE CASCADE,"
	"  login TEXT NOT NULL,"
	"  PRIMARY KEY(rid, login)"
	") WITHOUT ROWID;"
	"CREATE INDEX case_recipients_login ON case_recipients(login, rid);",

	/*
	 * 8: incident reports (issue 12).  An incident (its id "IR-YYYY-NNNN")
	 * keeps what lists and filters need; its reports are the normalised
	 * JSON as submitted, numbered from 1 (the first report) and never
	 * updated; status changes (and candidate marks) are a history.
	 * event_types and cause_types are bit sets (report.h KEVT_*, KCAUSE_*).
	 * Case drafts live apart from the cases (never listed, searched or
	 * counted with them) and share the revisions table, which now says who
	 * saved each revision (author: a login or local:OSUSER; NULL before)
	 * and whether it was saved while the case was a draft (draft 1).
	 * settings: the store's own settings (deadlines), by key.
	 */
	"ALTER TABLE cases ADD COLUMN author TEXT;"
	"ALTER TABLE revisions ADD COLUMN author TEXT;"
	"ALTER TABLE revisions ADD COLUMN draft INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE incidents("
	"  rid INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  org_id INTEGER REFERENCES orgs(id),"
	"  org TEXT NOT NULL,"
	"  sector TEXT NOT NULL,"
	"  tlp TEXT NOT NULL CHECK (tlp IN ('clear','green','amber','amber+strict','red')),"
	"  status TEXT NOT NULL CHECK (status IN ('received','checking','responding','closed','withdrawn')),"
	"  candidate INTEGER NOT NULL DEFAULT 0,"
	"  event_types INTEGER NOT NULL DEFAULT 0,"
	"  cause_types INTEGER NOT NULL DEFAULT 0,"
	"  service_affected TEXT,"
	"  occurred_at TEXT,"
	"  detected_at TEXT NOT NULL,"
	"  detected_utc TEXT NOT NULL,"
	"  filed_by TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  updated TEXT NOT NULL,"
	"  due_followup TEXT NOT NULL,"
	"  due_final TEXT NOT NULL,"
	"  nreports INTEGER NOT NULL DEFAULT 1,"
	"  final_at TEXT,"
	"  case_id TEXT"
	");"
	"CREATE INDEX incidents_status ON incidents(status, created);"
	"CREATE INDEX incidents_org ON incidents(org, created);"
	"CREATE INDEX incidents_sector ON incidents(sector, created);"
	"CREATE INDEX incidents_created ON incidents(created);"
	"CREATE TABLE incident_reports("
	"  incident INTEGER NOT NULL REFERENCES incidents(rid) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('first','followup','final')),"
	"  submitted TEXT NOT NULL,"
	"  author TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  PRIMARY KEY(incident, seq)"
	") WITHOUT ROWID;"
	"CREATE TABLE incident_status("
	"  id INTEGER PRIMARY KEY,"
	"  incident INTEGER NOT NULL REFERENCES incidents(rid) ON DELETE CASCADE,"
	"  at TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  old TEXT,"
	"  new TEXT,"
	"  note TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX incident_status_incident ON incident_status(incident, id);"
	"CREATE TABLE case_drafts("
	"  rid INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  incident TEXT,"
	"  body TEXT NOT NULL,"
	"  revision INTEGER NOT NULL DEFAULT 1,"
	"  created TEXT NOT NULL,"
	"  updated TEXT NOT NULL,"
	"  author TEXT"
	");"
	"CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",

	/* 9: selection (issue 13, h-select: scores, decisions, shortlists) */
	/* (IF NOT EXISTS: a database whose schema was set back to 4 by dropping only migrations 5-8 keeps these) */
	"CREATE TABLE IF NOT EXISTS selection_scores("
	"  period TEXT NOT NULL,"
	"  candidate TEXT NOT NULL,"
	"  criterion TEXT NOT NULL,"
	"  score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 3),"
	"  note TEXT NOT NULL DEFAULT '',"
	"  scorer TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  PRIMARY KEY(period, candidate, criterion)"
	");"
	"CREATE TABLE IF NOT EXISTS selection_decisions("
	"  period TEXT NOT NULL,"
	"  candidate TEXT NOT NULL,"
	"  decision TEXT NOT NULL CHECK (decision IN ('in','out')),"
	"  reason TEXT NOT NULL,"
	"  decided_by TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  PRIMARY KEY(period, candidate)"
	");"
	"CREATE TABLE IF NOT EXISTS selection_kept("
	"  period TEXT NOT NULL,"
	"  candidate TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('incident','draft')),"
	"  chosen INTEGER NOT NULL,"
	"  position INTEGER,"
	"  total INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  kept_by TEXT NOT NULL,"
	"  kept_at TEXT NOT NULL,"
	"  PRIMARY KEY(period, candidate)"
	");"
	"CREATE INDEX IF NOT EXISTS selection_kept_candidate ON selection_kept(candidate);",

	/* 10: anonymisation: names to look for, dismissed findings (issue 13, h-redact) */
	"CREATE TABLE IF NOT EXISTS redact_names("
	"  case_id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  added TEXT NOT NULL,"
	"  actor TEXT,"
	"  PRIMARY KEY(case_id, name)"
	");"
	"CREATE TABLE IF NOT EXISTS redact_dismissed("
	"  case_id TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  text TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  actor TEXT,"
	"  at TEXT NOT NULL,"
	"  PRIMARY KEY(case_id, kind, text)"
	");",

	/* 11: the reporting organisation's approval (issue 13, h-approve) */
	"CREATE TABLE IF NOT EXISTS approvals("
	"  id INTEGER PRIMARY KEY,"
	"  case_id TEXT NOT NULL,"
	"  revision INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('request','approve','comment')),"
	"  who TEXT NOT NULL,"
	"  org TEXT,"
	"  at TEXT NOT NULL,"
	"  body TEXT"
	");"
	"CREATE INDEX IF NOT EXISTS approvals_case ON approvals(case_id, id);",

	/* 12: published reports (issue 13, h-publish); IF NOT EXISTS: a database set back to an
	 * older user_version (tests/cli/test_store.sh) migrates again over them */
	"CREATE TABLE IF NOT EXISTS pub_reports("
	"  rid INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  period TEXT,"
	"  tlp TEXT NOT NULL,"
	"  date TEXT NOT NULL,"
	"  who TEXT,"
	"  created TEXT NOT NULL,"
	"  ncases INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX IF NOT EXISTS pub_reports_date ON pub_reports(date, created);"
	"CREATE TABLE IF NOT EXISTS pub_report_cases("
	"  report INTEGER NOT NULL REFERENCES pub_reports(rid) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  case_id TEXT NOT NULL,"
	"  PRIMARY KEY(report, seq)"
	");"
	"CREATE TABLE IF NOT EXISTS pub_report_files("
	"  report INTEGER NOT NULL REFERENCES pub_reports(rid) ON DELETE CASCADE,"
	"  path TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  body BLOB NOT NULL,"
	"  PRIMARY KEY(report, path)"
	");",

	/* 13: the 総括's theme edits (issue 13, h-themes) */
	"CREATE TABLE IF NOT EXISTS theme_edits("
	"  id INTEGER PRIMARY KEY,"
	"  scope TEXT NOT NULL,"
	"  edit TEXT NOT NULL,"
	"  author TEXT,"
	"  created TEXT NOT NULL"
	");"
	"CREATE INDEX IF NOT EXISTS theme_edits_scope ON theme_edits(scope, id);",

	/* 14: what a document is cited by (issue 14, h-cite): its own title, publisher, year,
	 * publication date and address, keyed by the name its cases carry in source.document */
	"CREATE TABLE IF NOT EXISTS documents("
	"  name TEXT PRIMARY KEY,"
	"  title TEXT,"
	"  publisher TEXT,"
	"  year INTEGER,"
	"  published TEXT,"
	"  url TEXT"
	");",

	/*
	 * 15: ranking by what a case is about (issue 16, h-rank).  The lessons
	 * column of the index holds the key lessons and the 得られた気付き・教訓
	 * and 再発防止策 sections (put_text()), no longer in the body; and
	 * English words are stemmed (tokenizer.c).  case_text is derived again
	 * from each case's JSON and the index rebuilt.  Run again over itself
	 * (test_store.sh), it gives the same rows.
	 */
	"UPDATE case_text SET lessons = x.l, body = x.b FROM ("
	"  SELECT c.rid AS rid,"
	"   trim(coalesce((SELECT group_concat(value, char(10)) FROM json_each(c.body, '$.key_lessons')), '')"
	"    || char(10) || coalesce(json_extract(c.body, '$.sections.lessons'), '')"
	"    || char(10) || coalesce(json_extract(c.body, '$.sections.countermeasures'), ''), char(10)) AS l,"
	"   trim(coalesce(json_extract(c.body, '$.sections.background'), '')"
	"    || char(10) || coalesce(json_extract(c.body, '$.sections.impact'), '')"
	"    || char(10) || coalesce(json_extract(c.body, '$.sections.detection'), '')"
	"    || char(10) || coalesce(json_extract(c.body, '$.sections.response'), '')"
	"    || char(10) || coalesce(json_extract(c.body, '$.sections.cause'), '')"
	"    || char(10) || coalesce(json_extract(c.body, '$.sections.mitigation'), '')"
	"    || char(10) || coalesce(json_extract(c.body, '$.sections.challenges'), ''), char(10)) AS b"
	"  FROM cases c WHERE json_valid(c.body)"
	") x WHERE x.rid = case_text.rid;"
	"INSERT INTO case_fts(case_fts) VALUES('rebuild');",

	/*
	 * 16: the vocabulary (issue 16, h-fast): in how many cases of each TLP
	 * level (0 clear .. 4 red) each index token occurs; term '' counts the
	 * cases, and its tokens their lengths in tokens (for the average).
	 * cases_doc_year: the documents' counts from an index alone.  Kept exact at every commit (store_sqlite_vocab.c); filled
	 * from the stored cases by migrate() after this step, so after 15's
	 * rebuilt index (its stemmed tokens).
	 */
	"CREATE TABLE IF NOT EXISTS case_vocab("
	"  term TEXT NOT NULL,"
	"  level INTEGER NOT NULL,"
	"  df INTEGER NOT NULL,"
	"  tokens INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY(term, level)"
	") WITHOUT ROWID;"
	/* the home page's list of documents (kstore_documents): read from this index alone, no sort of the cases */
	"CREATE INDEX IF NOT EXISTS cases_doc_year ON cases(document, tlp, year);",

	/*
	 * 17: the facet counts (issue 16, h-1m): how many cases of each TLP
	 * level have each facet value, for the home page's overview without a
	 * pass over every case (store_sqlite_counts.c).  Kept exact at every
	 * commit; filled (again) from the stored cases by migrate() after this
	 * step.
	 */
	"CREATE TABLE IF NOT EXISTS case_counts("
	"  facet TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  sub TEXT NOT NULL DEFAULT '',"
	"  level INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  PRIMARY KEY(facet, value, sub, level)"
	") WITHOUT ROWID;"
	/*
	 * and a report's cases in their order (the case page's list of the
	 * others in its report, /documents/NAME) from an index alone, not
	 * sorted: a report of 100,000 cases took 0.3-0.7 s a page.  It serves
	 * the lookups by report that cases_document did.
	 */
	"CREATE INDEX IF NOT EXISTS cases_doc_order ON cases(document, case_number IS NULL, case_number, id, tlp);"
	"DROP INDEX IF EXISTS cases_document;"
	/* the last saved first (the Atom feeds) from an index: 1,000,000 cases took 12 s to sort */
	"CREATE INDEX IF NOT EXISTS cases_updated ON cases(updated);",
	/*
	 * 18: each level's total of tokens (term '' of case_vocab: the mean
	 * length in the statistics of similar cases and of a reader who sees
	 * only some levels) recounted from the index's own lengths.  Before
	 * it, an update that kept a case's level and changed its length left
	 * the total as it was, so that it drifted from the cases.
	 */
	"UPDATE case_vocab SET tokens = t.n FROM (SELECT CASE c.tlp WHEN 'clear' THEN 0 WHEN 'green' THEN 1"
	" WHEN 'amber' THEN 2 WHEN 'amber+strict' THEN 3 ELSE 4 END AS level, sum(kyokun_docsize_sum(d.sz)) AS n"
	" FROM cases c JOIN case_fts_docsize d ON d.id = c.rid GROUP BY 1) AS t"
	" WHERE case_vocab.term = '' AND case_vocab.level = t.level;",
	/*
	 * 19: where each part of a case begins in the index's lessons and body
	 * columns, in tokens (issue 16, section:NAME): a section search tells
	 * the part a match is in from the index's positions alone
	 * (store_sqlite_parts.c).  Filled from the stored cases by migrate()
	 * after this step; a case without a row is read as before.
	 */
	"CREATE TABLE IF NOT EXISTS case_parts("
	"  rid INTEGER PRIMARY KEY REFERENCES cases(rid) ON DELETE CASCADE,"
	"  parts BLOB NOT NULL"
	");",
};

/* The migration that creates case_vocab: migrate() fills it after running it. */
#define VOCAB_MIGRATION 16
/* The one that creates case_counts: the same. */
#define COUNTS_MIGRATION 17
/* And case_parts. */
#define PARTS_MIGRATION 19

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

static int ksqlite_schema_latest(void)
{
	return NMIGRATIONS;
}

/* ---- errors ------------------------------------------------------------ */

/* How long a reader waits for a lock (only a bulk load without WAL holds one). */
#define READER_WAIT_MS 2000
/* How long a writer waits for another writer. */
#define WRITER_WAIT_MS 10000

/* Does path + suffix exist (and, if size is not NULL, how large is it)? */
static int sidecar(const char *path, const char *suffix, off_t *size)
{
	size_t n = strlen(path) + strlen(suffix) + 1;
	char *p = malloc(n);
	struct stat sb;
	int found;

	if (!p)
		return 0;
	snprintf(p, n, "%s%s", path, suffix);
	found = stat(p, &sb) == 0;
	if (size)
		*size = found ? sb.st_size : 0;
	free(p);
	return found;
}

/*
 * The message for SQLite's error rc (extended code) and text msg while
 * doing what: the codes a user can act on are said in words.  A damaged
 * file also ends the open transaction (rolled back) and every later write
 * of this connection.
 */
static int db_error(struct kstore_sqlite *st, struct kerr *err, int rc, const char *what, const char *msg)
{
	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		kerr_set(err, KE_DB, "the database file is damaged (SQLite: %s): run `kyokun check`; "
			 "restore from a backup", msg);
		st->damaged = 1;
		if (st->in_txn)
			ksqlite_rollback(&st->base);
		break;
	case SQLITE_BUSY:
		if (sidecar(st->base.path, "-journal", NULL)) {
			kerr_set(err, KE_DB, "a bulk load (`kyokun add` of a large file) is writing the "
				 "database; it can be used again when the load ends");
			break;
		}
		/* fall through */
	default:
		kerr_set(err, KE_DB, "%s", msg);
	}
	if (what)
		kerr_prefix(err, "%s", what);
	return KE_DB;
}

int ksqlite_db_err(struct kstore_sqlite *st, struct kerr *err, const char *what)
{
	return db_error(st, err, sqlite3_extended_errcode(st->db), what, sqlite3_errmsg(st->db));
}

static int exec(struct kstore_sqlite *st, const char *sql, struct kerr *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		if (err)
			db_error(st, err, sqlite3_extended_errcode(st->db), NULL,
				 msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return KE_DB;
	}
	return 0;
}

/* ---- opening ----------------------------------------------------------- */

/* An integer pragma's value into *v (-1 if none); SQLite's result code. */
static int pragma_int(struct kstore_sqlite *st, const char *sql, int *v)
{
	sqlite3_stmt *s;
	int rc;

	*v = -1;
	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return sqlite3_extended_errcode(st->db);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*v = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	} else {
		rc = sqlite3_extended_errcode(st->db);
	}
	sqlite3_finalize(s);
	return rc;
}

/* The schema version into *v; SQLite's result code. */
static int read_version(struct kstore_sqlite *st, int *v)
{
	return pragma_int(st, "PRAGMA user_version", v);
}

static int ksqlite_schema_version(struct kstore *kst)
{
	struct kstore_sqlite *st = ksqlite(kst);
	int v;

	read_version(st, &v);
	return v;
}

static int newer_schema(struct kstore_sqlite *st, int v, struct kerr *err)
{
	return kerr_set(err, KE_DB, "database %s has schema version %d, newer than this kyokun's %d: "
			"upgrade kyokun", st->base.path, v, NMIGRATIONS);
}

static int migrate(struct kstore_sqlite *st, struct kerr *err)
{
	int v, rc = 0;
	char sql[64];

	if (exec(st, "BEGIN IMMEDIATE", err)) {
		kerr_prefix(err, "cannot lock the database to migrate it");
		return KE_DB;
	}
	v = ksqlite_schema_version(&st->base);
	if (v > NMIGRATIONS) {
		rc = newer_schema(st, v, err);
		goto out;
	}
	for (; v < NMIGRATIONS; v++) {
		if ((rc = exec(st, migrations[v], err))) {
			kerr_prefix(err, "migration to schema version %d failed", v + 1);
			goto out;
		}
		if (v + 1 == VOCAB_MIGRATION && (rc = ksqlite_vocab_rebuild(st, err))) {
			kerr_prefix(err, "migration to schema version %d failed", v + 1);
			goto out;
		}
		if (v + 1 == COUNTS_MIGRATION && (rc = exec(st, ksqlite_counts_rebuild_sql, err))) {
			kerr_prefix(err, "migration to schema version %d failed", v + 1);
			goto out;
		}
		if (v + 1 == PARTS_MIGRATION && ((rc = exec(st, "DELETE FROM case_parts", err)) ||
						  (rc = ksqlite_parts_rebuild(st, err)))) {
			kerr_prefix(err, "migration to schema version %d failed", v + 1);
			goto out;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if ((rc = exec(st, sql, err)))
			goto out;
	}
	/* a migration may rewrite cases, their counts or their vocabulary: see ksqlite_case_changes() */
	rc = exec(st, case_bump_sql, err);
	st->case_dirty = 0;
out:
	if (rc)
		exec(st, "ROLLBACK", NULL);
	else if ((rc = exec(st, "COMMIT", err)))
		exec(st, "ROLLBACK", NULL);
	return rc;
}

/*
 * A bulk transaction (see kstore_begin_bulk) cut short by a crash leaves a
 * hot rollback journal, which a read-only connection cannot roll back.  Roll
 * it back with a short read-write connection, which also puts the database
 * back in WAL mode (the one write a reader makes: what any writer would do
 * first); nothing is done if the database is busy (a bulk transaction still
 * running) or cannot be written.
 */
static void recover_journal(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK)
		sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	sqlite3_close_v2(db);
}

/*
 * Is the database on read-only media (or its file or folder not writable
 * for us)?  Then a WAL database cannot be read the ordinary way: readers
 * need its -shm file, which cannot be made there.
 */
int ksqlite_media_readonly(const char *path)
{
	char *dir;
	int ro;

	if (access(path, W_OK) != 0 && (errno == EROFS || errno == EACCES || errno == EPERM))
		return 1;
	if (!(dir = strdup(path)))
		return 0;
	ro = access(dirname(dir), W_OK) != 0 && (errno == EROFS || errno == EACCES || errno == EPERM);
	free(dir);
	return ro;
}

/* "file:PATH?immutable=1", PATH with %, ? and # escaped; NULL if out of memory. */
static char *immutable_uri(const char *path)
{
	struct kbuf b = KBUF_INIT;
	int rc = kbuf_adds(&b, path[0] == '/' ? "file://" : "file:");

	for (const char *p = path; *p; p++)
		rc |= (*p == '%' || *p == '?' || *p == '#') ? kbuf_addf(&b, "%%%02X", (unsigned char)*p) :
		      kbuf_addch(&b, *p);
	rc |= kbuf_adds(&b, "?immutable=1");
	if (rc) {
		kbuf_release(&b);
		return NULL;
	}
	return b.buf;
}

static int ksqlite_global_init(int server);

/* Open st->db (closing the one open), with the tokenizer and the connection's settings. */
static int connect(struct kstore_sqlite *st, int oflags, int immutable, struct kerr *err)
{
	char *uri = NULL;
	int rc;

	if (st->db)
		sqlite3_close_v2(st->db);
	st->db = NULL;
	/* the process's settings, unless kstore_global_init() gave them first (the server) */
	if (ksqlite_global_init(0))
		return kerr_set(err, KE_DB, "cannot start SQLite");
	if (immutable && !(uri = immutable_uri(st->base.path)))
		return kerr_set(err, KE_NOMEM, "out of memory");
	rc = sqlite3_open_v2(uri ? uri : st->base.path, &st->db,
			     oflags | SQLITE_OPEN_NOMUTEX | (uri ? SQLITE_OPEN_URI : 0), NULL);
	free(uri);
	if (rc != SQLITE_OK)
		return kerr_set(err, KE_DB, "cannot open database %s: %s", st->base.path,
				st->db ? sqlite3_errmsg(st->db) : "out of memory");
	st->immutable = immutable;
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_update_hook(st->db, case_hook, st);
	sqlite3_busy_timeout(st->db, st->readonly ? READER_WAIT_MS : WRITER_WAIT_MS);
	if ((rc = ktok_register_tap(st->db, &st->tap, err)) || (rc = ksqlite_vocab_register(st->db, err)))
		return rc;
	if ((rc = exec(st, "PRAGMA foreign_keys = ON", err)))
		kerr_prefix(err, "%s", st->base.path);
	return rc;
}

/* The message for a database that cannot be opened: rc from reading its schema version. */
static int open_error(struct kstore_sqlite *st, int rc, struct kerr *err)
{
	if ((rc & 0xff) == SQLITE_NOTADB)
		return kerr_set(err, KE_DB, "%s is not a kyokun database (SQLite: %s)", st->base.path,
				sqlite3_errstr(rc));
	return db_error(st, err, rc, st->base.path, sqlite3_errmsg(st->db));
}

/* The schema at v: usable as it is? (Readers never migrate.) */
static int reader_schema(struct kstore_sqlite *st, int v, struct kerr *err)
{
	if (v > NMIGRATIONS)
		return newer_schema(st, v, err);
	if (v < NMIGRATIONS)
		return kerr_set(err, KE_DB, "database %s has schema version %d, older than this kyokun's "
				"%d: run `kyokun init` (or any write) to upgrade it", st->base.path, v, NMIGRATIONS);
	return 0;
}

static int open_reader(struct kstore_sqlite *st, struct kerr *err)
{
	off_t wal;
	int rc, v;

	if ((rc = connect(st, SQLITE_OPEN_READONLY, 0, err)))
		return rc;
	rc = read_version(st, &v);
	if ((rc & 0xff) == SQLITE_READONLY && sidecar(st->base.path, "-journal", NULL)) {
		recover_journal(st->base.path);
		rc = read_version(st, &v);
	}
	if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_CORRUPT &&
	    (rc & 0xff) != SQLITE_NOTADB && ksqlite_media_readonly(st->base.path)) {
		/*
		 * Read-only media: opened immutable (no locks, no -shm), unless
		 * the database has a journal or a WAL with content that
		 * immutable reading would ignore.
		 */
		if (sidecar(st->base.path, "-journal", NULL))
			return kerr_set(err, KE_DB, "database %s is on read-only media with the journal of an "
					"interrupted write (%s-journal): open it once on writable storage",
					st->base.path, st->base.path);
		if (sidecar(st->base.path, "-wal", &wal) && wal > 0)
			return kerr_set(err, KE_DB, "database %s is on read-only media with changes in its "
					"write-ahead log (%s-wal) that cannot be read there without %s-shm: "
					"copy the files to writable storage", st->base.path, st->base.path, st->base.path);
		if ((rc = connect(st, SQLITE_OPEN_READONLY, 1, err)))
			return rc;
		st->note = "the database is on read-only media: opened immutable";
		rc = read_version(st, &v);
	}
	if (rc != SQLITE_OK)
		return open_error(st, rc, err);
	return reader_schema(st, v, err);
}

/*
 * A database last written by an older kyokun has no meta row 'cases'
 * (ksqlite_case_changes()), and its readers' caches follow every commit
 * until a case is written: the first writer to open it adds the row (once;
 * if it cannot now, a later one will).
 */
static void add_case_row(struct kstore_sqlite *st)
{
	sqlite3_stmt *s;
	int have = 1;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM meta WHERE key = 'cases'", -1, &s, NULL) != SQLITE_OK)
		return;
	have = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	if (!have)
		sqlite3_exec(st->db, "INSERT OR IGNORE INTO meta(key, value) VALUES('cases', random())", NULL, NULL,
			     NULL);
}

/*
 * A new library (a file without a page yet) is made of pages of 16 KiB;
 * the page size is fixed when the first page is written (before WAL mode:
 * WAL cannot change it after), so a library made before keeps its own.
 * 16 KiB rather than SQLite's 4 KiB: FTS5 writes its
 * index as blobs of about 4 KB (its leaves), one to a page at 4 KiB, and a
 * table of cases' JSON and text one or two to a page; with four times the
 * bytes a page, a bulk load of 100,000 cases took 13.0-13.4 s against
 * 15.7-17.5 s (CPU 18.0 s against 22.4 s, three rounds in turns), in a
 * file 8% smaller, and a search the same instructions (the 20 queries of
 * bench/search_queries.tsv within 0.3%).
 */
static int new_page_size(struct kstore_sqlite *st, struct kerr *err)
{
	int pages;

	if (pragma_int(st, "PRAGMA page_count", &pages) != SQLITE_OK)
		return ksqlite_db_err(st, err, "reading the page count");
	if (pages != 0)
		return 0;
	return exec(st, "PRAGMA page_size = 16384", err);
}

static int open_writer(struct kstore_sqlite *st, struct kerr *err)
{
	int rc, v;

	if ((rc = connect(st, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0, err)))
		return rc;
	if (sqlite3_db_readonly(st->db, "main") == 1)
		return kerr_set(err, KE_DB, "database %s cannot be written here (read-only media or no "
				"permission); commands that only read it still work", st->base.path);
	if ((rc = read_version(st, &v)) != SQLITE_OK)
		return open_error(st, rc, err);
	if (v > NMIGRATIONS)
		return newer_schema(st, v, err);
	if (v == 0 && (rc = new_page_size(st, err)))
		return rc;
	if ((rc = exec(st, "PRAGMA journal_mode = WAL", err)) ||
	    (rc = exec(st, "PRAGMA synchronous = NORMAL", err))) {
		kerr_prefix(err, "%s", st->base.path);
		return rc;
	}
	/* only an older schema takes the write lock here, or one without the row 'cases' */
	if (v < NMIGRATIONS)
		return migrate(st, err);
	add_case_row(st);
	return 0;
}

int ksqlite_open(struct kstore_sqlite **out, const char *path, int flags, struct kerr *err)
{
	struct kstore_sqlite *st;
	int rc;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return kerr_set(err, KE_NOMEM, "out of memory");
	st->base.be = &kstore_be_sqlite;
	st->base.path = strdup(path);
	if (!st->base.path) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto fail;
	}
	st->readonly = !!(flags & KSTORE_READONLY);
	if (st->readonly && access(path, F_OK) != 0) {
		rc = kerr_set(err, KE_NOTFOUND, "no database at %s (create one with 'kyokun init' or 'kyokun add')",
			      path);
		goto fail;
	}
	if ((rc = st->readonly ? open_reader(st, err) : open_writer(st, err)))
		goto fail;
	for (int i = 0; i < S__N; i++)
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &st->stmt[i], NULL) != SQLITE_OK) {
			rc = ksqlite_db_err(st, err, "prepare");
			kerr_prefix(err, "%s", path);
			goto fail;
		}
	*out = st;
	return 0;
fail:
	ksqlite_close(st);
	return rc;
}

static void bulk_indexes_free(struct kstore_sqlite *st);

void ksqlite_close(struct kstore_sqlite *st)
{
	if (!st)
		return;
	ksqlite_close(st->helper);
	ksqlite_facets_free(st->facets);
	ksqlite_acct_free(st);
	for (int i = 0; i < S__N; i++)
		sqlite3_finalize(st->stmt[i]);
	for (int i = 0; i < KSQLITE_NCACHE; i++)
		sqlite3_finalize(st->cache[i]);
	sqlite3_finalize(st->dv);
	sqlite3_finalize(st->cv);
	sqlite3_finalize(st->vis_row);
	free(st->vis_row_sql);
	sqlite3_finalize(st->vocab_get);
	sqlite3_finalize(st->parts_put);
	sqlite3_finalize(st->parts_del);
	ksqlite_parts_free(st);
	sqlite3_finalize(st->vocab_df);
	sqlite3_finalize(st->read_begin);
	sqlite3_finalize(st->read_commit);
	ksqlite_vocab_free(st);
	ksqlite_counts_free(st);
	bulk_indexes_free(st); /* (a transaction left open: closing rolls it back) */
	if (st->db)
		sqlite3_close_v2(st->db);
	free(st->base.path);
	free(st);
}

static const char *ksqlite_note(const struct kstore *kst)
{
	return ksqlite_const(kst)->note;
}

/* ---- the engine, the counter, the check --------------------------------- */

static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static int global_done, global_rc;

static int ksqlite_global_init(int server)
{
	int rc;

	pthread_mutex_lock(&global_lock);
	if (!global_done) {
		global_done = 1;
		/*
		 * Before SQLite's first use, for every connection of the
		 * process.  No global memory statistics: nothing reads them,
		 * and their mutex is taken on every allocation (about 6% of
		 * the instructions of a search, more of a bulk add, and
		 * contended between a server's workers); an SQLite already in
		 * use keeps them, which costs only that.  For the server, the
		 * database memory-mapped too (up to 1 GiB), so the workers read
		 * pages in place instead of copying them through small
		 * per-connection page caches.
		 */
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		if (server && sqlite3_config(SQLITE_CONFIG_MMAP_SIZE, (sqlite3_int64)1 << 30,
					     (sqlite3_int64)1 << 30) != SQLITE_OK)
			global_rc = KE_DB;
		if (sqlite3_initialize() != SQLITE_OK)
			global_rc = KE_DB;
	}
	rc = global_rc;
	pthread_mutex_unlock(&global_lock);
	return rc;
}

/* PRAGMA data_version into *dv: it changes when another connection commits. */
static int data_version(struct kstore_sqlite *st, sqlite3_int64 *dv, struct kerr *err)
{
	if (!st->dv && sqlite3_prepare_v3(st->db, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
					  &st->dv, NULL) != SQLITE_OK)
		return ksqlite_db_err(st, err, "reading the data version");
	if (sqlite3_step(st->dv) != SQLITE_ROW) {
		ksqlite_db_err(st, err, "reading the data version");
		sqlite3_reset(st->dv);
		return KE_DB;
	}
	*dv = sqlite3_column_int64(st->dv, 0);
	sqlite3_reset(st->dv);
	return 0;
}

/*
 * PRAGMA data_version changes when another connection commits; this
 * connection's own writes show in its total change count, and a rollback
 * is noted by kstore_rollback().  The pragma is one step of a kept
 * statement: it starts and ends a read transaction (in WAL mode a look at
 * the shared-memory index, no file I/O).
 */
int ksqlite_changes(struct kstore *kst, unsigned long long *counter, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_int64 dv, ch = sqlite3_total_changes64(st->db);
	int rc;

	if ((rc = data_version(st, &dv, err)))
		return rc;
	if (!st->changes || dv != st->seen_dv || ch != st->seen_ch || st->rolled_back) {
		st->changes++;
		st->seen_dv = dv;
		st->seen_ch = ch;
		st->rolled_back = 0;
	}
	*counter = st->changes;
	return 0;
}

/*
 * Which cases there are and what they hold changes only with a write of a
 * case, which always writes its row in cases.  case_hook() sees every row
 * a connection writes in cases, case_text and the full-text index's tables
 * (rowid tables: the update hook does not see WITHOUT ROWID ones, such as
 * case_tags, but they are written only with the case's row) and marks the
 * transaction; its commit then sets the meta row 'cases' to a new random
 * number (ksqlite_commit(), and a migration's), in the same transaction.
 * Other writes (sessions, the audit log, accounts) leave the row as it was.
 *
 * ksqlite_case_changes() reads the row only when something was committed
 * since its last call (data_version, as ksqlite_changes()), and moves its
 * counter when the row's number differs from the one it saw, or this
 * connection wrote a case since (its own open transaction: case_writes,
 * which its rollback also moves).  A number rather than a count, so that a
 * database put back from a backup, whose row holds an older number, is
 * never taken for the one the caches were read from.  A database whose row
 * is missing (written only by an older kyokun since its last migration)
 * moves the counter on every commit, as ksqlite_changes() does.
 */

static void case_hook(void *ctx, int op, const char *db, const char *table, sqlite3_int64 rowid)
{
	struct kstore_sqlite *st = ctx;

	(void)op;
	(void)rowid;
	if (strcmp(db, "main") || strncmp(table, "case", 4))
		return;
	if (!strcmp(table + 4, "s") || !strcmp(table + 4, "_text") || !strncmp(table + 4, "_fts", 4)) {
		st->case_dirty = 1;
		st->case_writes++;
	}
}

int ksqlite_case_changes(struct kstore *kst, unsigned long long *counter, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_int64 dv, cv = 0, ch = sqlite3_total_changes64(st->db);
	int rc, r, null = 1;

	if ((rc = data_version(st, &dv, err)))
		return rc;
	if (st->case_changes && dv == st->cseen_dv && ch == st->cseen_ch && st->case_writes == st->cseen_cw) {
		*counter = st->case_changes;
		return 0;
	}
	if (!st->cv && sqlite3_prepare_v3(st->db, "SELECT value FROM meta WHERE key = 'cases'", -1,
					  SQLITE_PREPARE_PERSISTENT, &st->cv, NULL) != SQLITE_OK)
		return ksqlite_db_err(st, err, "reading the cases' version");
	if ((r = sqlite3_step(st->cv)) == SQLITE_ROW && sqlite3_column_type(st->cv, 0) == SQLITE_INTEGER) {
		cv = sqlite3_column_int64(st->cv, 0);
		null = 0;
	} else if (r != SQLITE_ROW && r != SQLITE_DONE) {
		ksqlite_db_err(st, err, "reading the cases' version");
		sqlite3_reset(st->cv);
		return KE_DB;
	}
	sqlite3_reset(st->cv);
	if (!st->case_changes || null || st->cseen_null || cv != st->cseen_cv || st->case_writes != st->cseen_cw)
		st->case_changes++;
	st->cseen_dv = dv;
	st->cseen_ch = ch;
	st->cseen_cv = cv;
	st->cseen_null = null;
	st->cseen_cw = st->case_writes;
	*counter = st->case_changes;
	return 0;
}

/* May st start a write transaction? */
static int can_write(struct kstore_sqlite *st, struct kerr *err)
{
	if (st->in_txn)
		return kerr_set(err, KE_DB, "a transaction is already open");
	if (st->readonly)
		return kerr_set(err, KE_DB, "database %s was opened read-only", st->base.path);
	if (st->damaged)
		return kerr_set(err, KE_DB, "the database file is damaged: run `kyokun check`; restore from a "
				"backup");
	return 0;
}

/*
 * The statements kept (a web server begins one for every GET it serves):
 * BEGIN is deferred, so the snapshot is taken by the first read, and
 * takes no lock by itself.
 */
static int ksqlite_read_begin(struct kstore *kst, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	int rc;

	if (!sqlite3_get_autocommit(st->db))
		return 0; /* (a transaction is open: it is the snapshot) */
	if (!st->read_begin && (rc = ksqlite_prepare(st, "BEGIN", &st->read_begin, err)))
		return rc;
	rc = sqlite3_step(st->read_begin);
	sqlite3_reset(st->read_begin);
	return rc == SQLITE_DONE ? 1 : ksqlite_db_err(st, err, "beginning a read");
}

static void ksqlite_read_end(struct kstore *kst, int began)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kerr err = KERR_INIT;

	if (began <= 0 || sqlite3_get_autocommit(st->db))
		return;
	if (!st->read_commit && ksqlite_prepare(st, "COMMIT", &st->read_commit, &err))
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	else if (st->read_commit) {
		sqlite3_step(st->read_commit);
		sqlite3_reset(st->read_commit);
	}
	/* never left open (a connection kept in an old snapshot): nothing was written in it */
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int ksqlite_begin(struct kstore *kst, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	int rc;

	if ((rc = can_write(st, err)))
		return rc;
	if (exec(st, "BEGIN IMMEDIATE", err))
		return KE_DB;
	st->in_txn = 1;
	/* A number no other transaction had: it marks the cases this one wrote. */
	if (sqlite3_step(st->stmt[S_BATCH]) != SQLITE_ROW) {
		sqlite3_reset(st->stmt[S_BATCH]);
		ksqlite_db_err(st, err, "starting a transaction");
		ksqlite_rollback(&st->base);
		return KE_DB;
	}
	st->batch = sqlite3_column_int64(st->stmt[S_BATCH], 0);
	sqlite3_reset(st->stmt[S_BATCH]);
	return 0;
}

/*
 * A bulk transaction (kstore_begin_bulk) runs with a rollback journal
 * instead of the WAL.  One transaction that writes hundreds of MB through
 * the WAL is slow: every page read looks the page up in the WAL index, a
 * search that grows with the WAL, and every page is written twice, to the
 * WAL and by the checkpoint to the database (the WAL grew to 5 GB at
 * 1,000,000 cases).  With a rollback journal, pages past the end of the
 * database as it was are not journaled at all, and the journal keeps the
 * all-or-nothing guarantee.  `kyokun add` of 300,000 cases into a new
 * database: 36 s instead of 64 s (commit 1 s instead of 10 s).
 *
 * The switch is made only when this is the database's only connection
 * (SQLite refuses to leave WAL mode otherwise, e.g. while `kyokun serve`
 * runs, and the transaction then simply runs in WAL mode), and WAL mode is
 * restored when the transaction ends.  The price: while it runs, another
 * process cannot read the previous state (the writer holds the exclusive
 * lock as soon as its page cache spills); a reader that opens the database
 * then waits READER_WAIT_MS and fails with a message saying a bulk load is
 * writing (db_error()), a writer waits WRITER_WAIT_MS.  After a crash in the
 * middle, the next read-write connection rolls the journal back (read-only
 * ones: recover_journal()) and WAL mode is restored.
 */
static int journal_is_wal(struct kstore_sqlite *st)
{
	sqlite3_stmt *s;
	int wal = 1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode", -1, &s, NULL) != SQLITE_OK)
		return 1;
	if (sqlite3_step(s) == SQLITE_ROW)
		wal = sqlite3_stricmp((const char *)sqlite3_column_text(s, 0), "wal") == 0;
	sqlite3_finalize(s);
	return wal;
}

static void end_bulk(struct kstore_sqlite *st)
{
	if (!journal_is_wal(st))
		exec(st, "PRAGMA journal_mode = WAL", NULL);
}

/*
 * A bulk load into a library without cases builds the indexes of cases and
 * audit that no write reads at the end (commit: bulk_indexes_make()), from
 * the rows sorted once, instead of one entry at a time: each of seven
 * indexes of cases (year, category, document, owner, ...) has its own place
 * to write for every case, a page the page cache has mostly let go.  `kyokun
 * add` of 1,000,000 cases: 145.8 s without those indexes and 15.1 s to make
 * them afterwards (in the sqlite3 shell), against 172.4 and 187.7 s with
 * them; this way, 152.8 and 164.0 s (another hour: compare only runs taken
 * in turns).  The DROP INDEX is part of the transaction: a
 * rollback (or a crash: the journal) puts the indexes back as they were;
 * until the commit other connections see the indexes as ever.  Kept:
 * cases_facets, which the facet counts read the new cases through (INDEXED
 * BY), and the indexes SQLite makes for UNIQUE (sql IS NULL).
 */
static void bulk_indexes_free(struct kstore_sqlite *st)
{
	if (st->bulk_idx) {
		kbuf_release(st->bulk_idx);
		free(st->bulk_idx);
		st->bulk_idx = NULL;
	}
}

static int bulk_indexes_drop(struct kstore_sqlite *st, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	struct kbuf names = KBUF_INIT;
	int rc, empty = 0;

	if ((rc = ksqlite_prepare(st, "SELECT NOT EXISTS (SELECT 1 FROM cases)", &s, err)))
		return rc;
	if (sqlite3_step(s) == SQLITE_ROW)
		empty = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (!empty)
		return 0;
	if (!(st->bulk_idx = calloc(1, sizeof(*st->bulk_idx))))
		return kerr_set(err, KE_NOMEM, "out of memory");
	if ((rc = ksqlite_prepare(st, "SELECT name, sql FROM sqlite_schema WHERE type = 'index'"
				  " AND tbl_name IN ('cases', 'audit') AND sql IS NOT NULL AND name <> 'cases_facets'"
				  " ORDER BY name", &s, err)))
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0), *sql = (const char *)sqlite3_column_text(s, 1);

		if (kbuf_add(st->bulk_idx, sql, strlen(sql) + 1) < 0 || kbuf_add(&names, name, strlen(name) + 1) < 0) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = ksqlite_db_err(st, err, "reading the schema");
		goto out;
	}
	rc = 0;
	sqlite3_finalize(s);
	s = NULL;
	/* (names from sqlite_schema, ours: DDL takes no parameters) */
	for (size_t at = 0; at < names.len && !rc; at += strlen(names.buf + at) + 1) {
		char *sql = sqlite3_mprintf("DROP INDEX \"%w\"", names.buf + at);

		rc = sql ? exec(st, sql, err) : kerr_set(err, KE_NOMEM, "out of memory");
		sqlite3_free(sql);
	}
out:
	sqlite3_finalize(s);
	kbuf_release(&names);
	if (rc)
		bulk_indexes_free(st);
	return rc;
}

/* The indexes bulk_indexes_drop() dropped, made again (before the commit). */
static int bulk_indexes_make(struct kstore_sqlite *st, struct kerr *err)
{
	int rc = 0;

	if (!st->bulk_idx)
		return 0;
	for (size_t at = 0; at < st->bulk_idx->len && !rc; at += strlen(st->bulk_idx->buf + at) + 1)
		rc = exec(st, st->bulk_idx->buf + at, err);
	bulk_indexes_free(st);
	return rc;
}

static int ksqlite_begin_bulk(struct kstore *kst, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	int rc;

	if ((rc = can_write(st, err)))
		return rc;
	/* fails at once (and leaves WAL mode on) if another connection is open */
	sqlite3_busy_timeout(st->db, 0);
	exec(st, "PRAGMA journal_mode = DELETE", NULL);
	sqlite3_busy_timeout(st->db, WRITER_WAIT_MS);
	if ((rc = ksqlite_begin(&st->base, err))) {
		end_bulk(st);
		return rc;
	}
	if ((rc = bulk_indexes_drop(st, err)))
		ksqlite_rollback(&st->base);
	return rc;
}

static int ksqlite_commit(struct kstore *kst, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	if (!st->in_txn)
		return kerr_set(err, KE_DB, "no transaction is open");
	if (ksqlite_vocab_flush(st, err) || ksqlite_counts_flush(st, err) || bulk_indexes_make(st, err) ||
	    (st->case_dirty && exec(st, case_bump_sql, err)) || exec(st, "COMMIT", err)) {
		ksqlite_rollback(&st->base);
		return KE_DB;
	}
	st->in_txn = 0;
	st->case_dirty = 0;
	end_bulk(st);
	return 0;
}

static void ksqlite_rollback(struct kstore *kst)
{
	struct kstore_sqlite *st = ksqlite(kst);
	if (!st->in_txn)
		return;
	exec(st, "ROLLBACK", NULL);
	bulk_indexes_free(st); /* (the rollback put them back) */
	ksqlite_vocab_forget(st);
	ksqlite_counts_forget(st);
	st->in_txn = 0;
	st->rolled_back = 1; /* for kstore_changes() */
	if (st->case_dirty) /* for ksqlite_case_changes() */
		st->case_writes++;
	st->case_dirty = 0;
	end_bulk(st);
}

/*
 * A write of its own (the accounts', the incidents'): a transaction of its
 * own, or a savepoint in the caller's (kstore_begin), so that a write that
 * fails leaves nothing behind either way.
 */
int ksqlite_wbegin(struct kstore_sqlite *st, int *own, struct kerr *err)
{
	int rc;

	*own = !st->in_txn;
	if (*own)
		return ksqlite_begin(&st->base, err);
	/* the vocabulary's pending counts go in before the savepoint: undoing it forgets only later ones */
	if ((rc = ksqlite_vocab_flush(st, err)) || (rc = ksqlite_counts_flush(st, err)))
		return rc;
	return exec(st, "SAVEPOINT kwrite", err);
}

int ksqlite_wend(struct kstore_sqlite *st, int own, int rc, struct kerr *err)
{
	if (own) {
		if (rc)
			ksqlite_rollback(&st->base);
		else
			rc = ksqlite_commit(&st->base, err);
		return rc;
	}
	if (rc) {
		exec(st, "ROLLBACK TO kwrite", NULL);
		st->case_writes++; /* what was written of a case since the savepoint is gone */
		ksqlite_vocab_forget(st);
		ksqlite_counts_forget(st);
		exec(st, "RELEASE kwrite", NULL);
		return rc;
	}
	return exec(st, "RELEASE kwrite", err);
}

/* ---- writing ----------------------------------------------------------- */

static void now_iso(char *buf, size_t n)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void ksqlite_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

int ksqlite_step_done(struct kstore_sqlite *st, sqlite3_stmt *s, struct kerr *err, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ksqlite_db_err(st, err, what);
	return 0;
}

static int add_tag(struct kstore_sqlite *st, long long rid, const char *kind, const char *value,
		   struct kerr *err)
{
	sqlite3_stmt *s = st->stmt[S_ADD_TAG];

	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, value, -1, SQLITE_STATIC);
	return ksqlite_step_done(st, s, err, "storing tags");
}

static int join_strv(struct kbuf *b, const struct kstrv *sv)
{
	int rc = 0;

	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			rc |= kbuf_addch(b, '\n');
		rc |= kbuf_adds(b, sv->v[i]);
	}
	return rc;
}

static int add_line(struct kbuf *b, const char *s)
{
	int rc = 0;

	if (!s || !*s)
		return 0;
	if (b->len)
		rc |= kbuf_addch(b, '\n');
	return rc | kbuf_adds(b, s);
}

/* Remove the case's current text from the full-text index. */
static int unindex(struct kstore_sqlite *st, long long rid, struct kerr *err)
{
	sqlite3_stmt *s = st->stmt[S_FTS_DEL];

	sqlite3_bind_int64(s, 1, rid);
	return ksqlite_step_done(st, s, err, "updating the search index");
}

/*
 * The case's text as the index's columns after the title (summary, lessons,
 * body, timeline, meta) into col[0..5) (empty on entry); with st, where each
 * part begins is laid out for the parts' tap (st NULL: on any thread, for
 * kstore_prep_make()).  -1 out of memory.
 */
static int case_columns(struct kstore_sqlite *st, const struct kcase *c, struct kbuf col[5])
{
	int rc = 0;

	rc |= join_strv(&col[0], &c->summary);
	/* the lessons column: what the case teaches (its key lessons, its
	 * 得られた気付き・教訓 and 再発防止策), weighted above the other
	 * sections in the body (store_sqlite_search.c); see migration 15.
	 * The body: the other sections.  Where each part begins is kept
	 * (store_sqlite_parts.c, migration 19). */
	rc |= ksqlite_parts_layout(st, c, &col[1], &col[2]) ? -1 : 0;
	for (size_t i = 0; i < c->ntimeline; i++) {
		const struct kevent *e = &c->timeline[i];

		if (col[3].len)
			rc |= kbuf_addch(&col[3], '\n');
		if (e->when && *e->when)
			rc |= kbuf_addf(&col[3], "%s ", e->when);
		if (e->actor && *e->actor)
			rc |= kbuf_addf(&col[3], "%s ", e->actor);
		rc |= kbuf_adds(&col[3], e->text ? e->text : "");
	}
	rc |= add_line(&col[4], c->category);
	rc |= add_line(&col[4], c->attributes.organization);
	rc |= add_line(&col[4], c->attributes.factors);
	return rc ? -1 : 0;
}

/* The tokens of the case's columns made ahead: kstore_prep_make(). */
struct kstore_prep {
	struct ktok_pre pre;
};

static void ksqlite_prep_free(struct kstore_prep *p)
{
	ktok_pre_release(&p->pre);
	free(p);
}

static int ksqlite_prep_make(struct kstore *kst, const struct kcase *c, struct kstore_prep **out, struct kerr *err)
{
	struct kbuf col[5] = { KBUF_INIT, KBUF_INIT, KBUF_INIT, KBUF_INIT, KBUF_INIT };
	struct kstore_prep *p = calloc(1, sizeof(*p));
	const char *title = c->title ? c->title : "";
	int rc = 0;

	(void)kst; /* (on another thread: nothing of the connection is touched) */
	if (!p || case_columns(NULL, c, col) < 0 || ktok_pre_add(&p->pre, title, strlen(title)) < 0)
		rc = KE_NOMEM;
	for (int i = 0; i < 5 && !rc; i++)
		if (ktok_pre_add(&p->pre, kbuf_str(&col[i]), col[i].len) < 0)
			rc = KE_NOMEM;
	for (int i = 0; i < 5; i++)
		kbuf_release(&col[i]);
	if (rc) {
		if (p)
			ksqlite_prep_free(p);
		return kerr_set(err, KE_NOMEM, "out of memory");
	}
	*out = p;
	return 0;
}

/*
 * The searchable text of c, by column, and its index entry; see migration 2.
 * The columns are laid out here again even when prep holds them: the parts'
 * tap needs this layout, and a text that is not prep's is tokenized anew.
 */
static int put_text(struct kstore_sqlite *st, long long rid, const struct kcase *c, int exists,
		    struct kstore_prep *prep, struct kerr *err)
{
	struct kbuf col[5] = { KBUF_INIT, KBUF_INIT, KBUF_INIT, KBUF_INIT, KBUF_INIT };
	sqlite3_stmt *s = st->stmt[S_TEXT];
	int rc = case_columns(st, c, col);

	if (rc) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (exists && (rc = unindex(st, rid, err)))
		goto out;
	for (int k = 0; k < 2; k++) {
		s = st->stmt[k ? S_FTS_ADD : S_TEXT];
		sqlite3_bind_int64(s, 1, rid);
		ksqlite_bind_text(s, 2, c->title ? c->title : "");
		for (int i = 0; i < 5; i++)
			sqlite3_bind_text(s, 3 + i, kbuf_str(&col[i]), (int)col[i].len, SQLITE_STATIC);
		/* the vocabulary counts the case's tokens as the index gets them (the level as put_locked() stores it) */
		if (k && (rc = ksqlite_vocab_tap(st, ktlp_rank(c->tlp ? c->tlp : "amber"), err)))
			goto out;
		if (k)
			ksqlite_parts_tap(st);
		/* the tokens made ahead, if any: given for the texts they were made of */
		if (k && prep) {
			prep->pre.next = 0;
			st->tap.pre = &prep->pre;
		}
		rc = ksqlite_step_done(st, s, err, "indexing the case");
		st->tap.pre = NULL;
		if (k) {
			int vrc;

			ksqlite_parts_untap(st);
			vrc = ksqlite_vocab_untap(st, !rc, err);
			rc = vrc ? vrc : rc;
		}
		if (rc)
			goto out;
	}
	rc = ksqlite_parts_write(st, rid, err);
out:
	for (int i = 0; i < 5; i++)
		kbuf_release(&col[i]);
	return rc;
}

/*
 * Store c in the open transaction (see kstore_put).  revision: the number
 * a new case starts at (0: 1; a published draft continues its own);
 * action: the audit action of a new case (NULL: case.add).  The actor
 * (kstore_set_actor) is the author of the version stored.
 */
static int put_locked(struct kstore_sqlite *st, const struct kcase *c, const char *given, size_t glen,
		      struct kstore_prep *prep, int revision, const char *action, int *outcome, struct kerr *err)
{
	struct kbuf json = KBUF_INIT;
	sqlite3_stmt *s;
	long long rid = 0;
	int rc, exists = 0;
	char now[32];

	now_iso(now, sizeof(now));
	if (given ? kbuf_add(&json, given, glen) < 0 : kcase_dump(c, &json) < 0)
		return kerr_set(err, KE_NOMEM, "out of memory");

	s = st->stmt[S_FIND];
	sqlite3_bind_text(s, 1, c->id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		exists = 1;
		rid = sqlite3_column_int64(s, 0);
		if (sqlite3_column_int64(s, 4) == st->batch) {
			sqlite3_reset(s);
			rc = kerr_set(err, KE_EXISTS, "id \"%s\": duplicate id (it appears twice in this input)",
				      c->id);
			goto out;
		}
		/* the same case again: no new revision */
		if ((size_t)sqlite3_column_bytes(s, 2) == json.len &&
		    !memcmp(sqlite3_column_text(s, 2), json.buf, json.len)) {
			int dirty = st->case_dirty;
			unsigned long long writes = st->case_writes;

			sqlite3_reset(s);
			s = st->stmt[S_TOUCH];
			sqlite3_bind_int64(s, 1, rid);
			sqlite3_bind_int64(s, 2, st->batch);
			if (!(rc = ksqlite_step_done(st, s, err, "storing the case")) && outcome)
				*outcome = KSTORE_UNCHANGED;
			/* only its batch was written, which no cache reads: not a change of the cases
			 * (ksqlite_case_changes()) */
			st->case_dirty = dirty;
			st->case_writes = writes;
			goto out;
		}
		/* keep the version being replaced */
		{
			sqlite3_stmt *r = st->stmt[S_SAVE_REV];

			sqlite3_bind_text(r, 1, c->id, -1, SQLITE_STATIC);
			sqlite3_bind_int(r, 2, sqlite3_column_int(s, 1));
			sqlite3_bind_text(r, 3, (const char *)sqlite3_column_text(s, 2), -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(r, 4, (const char *)sqlite3_column_text(s, 3), -1, SQLITE_TRANSIENT);
			if (sqlite3_column_type(s, 5) != SQLITE_NULL)
				sqlite3_bind_text(r, 5, (const char *)sqlite3_column_text(s, 5), -1,
						  SQLITE_TRANSIENT);
			sqlite3_bind_int(r, 6, 0);
			sqlite3_reset(s);
			if ((rc = ksqlite_step_done(st, r, err, "saving the previous revision")))
				goto out;
		}
	} else {
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			rc = ksqlite_db_err(st, err, "looking up the case");
			goto out;
		}
		/* drafts and cases share one id space */
		s = st->stmt[S_DRAFT_FIND];
		sqlite3_bind_text(s, 1, c->id, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc == SQLITE_ROW) {
			rc = kerr_set(err, KE_EXISTS, "id \"%s\" is a case draft: publish it, or give the case "
				      "another id", c->id);
			goto out;
		}
		if (rc != SQLITE_DONE) {
			rc = ksqlite_db_err(st, err, "looking up the case");
			goto out;
		}
	}

	/* the vocabulary: the text and level being replaced, uncounted */
	if (exists && ((rc = ksqlite_vocab_case(st, rid, -1, err)) || (rc = ksqlite_counts_case(st, rid, -1, err))))
		goto out;
	s = st->stmt[exists ? S_UPDATE : S_INSERT];
	if (exists)
		sqlite3_bind_int64(s, 1, rid);
	else
		ksqlite_bind_text(s, 1, c->id);
	ksqlite_bind_text(s, 2, c->title);
	ksqlite_bind_text(s, 3, c->source.document);
	if (c->source.has_year)
		sqlite3_bind_int(s, 4, c->source.year);
	else
		sqlite3_bind_null(s, 4);
	if (c->source.has_case_number)
		sqlite3_bind_int(s, 5, c->source.case_number);
	else
		sqlite3_bind_null(s, 5);
	ksqlite_bind_text(s, 6, c->category);
	ksqlite_bind_text(s, 7, c->tags.event_class);
	ksqlite_bind_text(s, 8, c->attributes.reader_level);
	ksqlite_bind_text(s, 9, c->tlp ? c->tlp : "amber");
	sqlite3_bind_text(s, 10, json.buf, (int)json.len, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 12, st->batch);
	ksqlite_bind_text(s, 13, c->owner);
	sqlite3_bind_int(s, 14, revision > 0 ? revision : 1);
	ksqlite_bind_text(s, 15, ksqlite_actor(st));
	if ((rc = ksqlite_step_done(st, s, err, "storing the case")))
		goto out;
	if (!exists)
		rid = sqlite3_last_insert_rowid(st->db);

	if ((rc = put_text(st, rid, c, exists, prep, err)))
		goto out;
	/* the tags, replaced (a new case has none, as for the recipients below) */
	s = st->stmt[S_DEL_TAGS];
	sqlite3_bind_int64(s, 1, rid);
	if (exists && (rc = ksqlite_step_done(st, s, err, "storing tags")))
		goto out;
	if (c->tags.event_class && (rc = add_tag(st, rid, "event_class", c->tags.event_class, err)))
		goto out;
	for (size_t i = 0; i < c->tags.threats.n; i++)
		if ((rc = add_tag(st, rid, "threat", c->tags.threats.v[i], err)))
			goto out;
	for (size_t i = 0; i < c->tags.sectors.n; i++)
		if ((rc = add_tag(st, rid, "sector",
				  ksector_parse(c->tags.sectors.v[i]) ? ksector_parse(c->tags.sectors.v[i])
								      : c->tags.sectors.v[i], err)))
			goto out;
	/* the facet counts: the new values, tags included */
	if ((rc = ksqlite_counts_case(st, rid, +1, err)))
		goto out;
	/* the recipients, replaced (a new case has none: deleting a case deletes its) */
	s = st->stmt[S_DEL_RECIPIENTS];
	sqlite3_bind_int64(s, 1, rid);
	if (exists && (rc = ksqlite_step_done(st, s, err, "storing recipients")))
		goto out;
	for (size_t i = 0; i < c->recipients.n; i++) {
		s = st->stmt[S_ADD_RECIPIENT];
		sqlite3_bind_int64(s, 1, rid);
		sqlite3_bind_text(s, 2, c->recipients.v[i], -1, SQLITE_STATIC);
		if ((rc = ksqlite_step_done(st, s, err, "storing recipients")))
			goto out;
	}
	if ((rc = ksqlite_audit(st, exists ? "case.update" : action ? action : "case.add", "case", c->id, NULL,
				err)))
		goto out;
	if (outcome)
		*outcome = exists ? KSTORE_UPDATED : KSTORE_CREATED;
out:
	for (int i = 0; i < S__N; i++)
		sqlite3_clear_bindings(st->stmt[i]);
	kbuf_release(&json);
	return rc;
}

static int ksqlite_doc_put(struct kstore *kst, const char *name, const struct kdocmeta *m, struct kerr *err);

/*
 * A case that says what its document is cited by (source.title, url,
 * published) tells the documents table, if it is TLP:CLEAR: the table's row
 * is shown with every case of the document, to readers who may not see this
 * one (a RED case's citation would name its document to readers of the
 * document's CLEAR cases).  Other cases keep their citation in their own
 * source.
 */
static int put_doc_of(struct kstore_sqlite *st, const struct kcase *c, struct kerr *err)
{
	struct kdocmeta m = { 0 };

	if (!c->source.document || (!c->source.doc_title && !c->source.url && !c->source.published))
		return 0;
	if (c->tlp && ktlp_rank(c->tlp) != 0)
		return 0;
	m.title = c->source.doc_title;
	m.url = c->source.url;
	m.published = c->source.published;
	m.publisher = c->source.publisher;
	m.has_year = c->source.has_year;
	m.year = c->source.year;
	return ksqlite_doc_put(&st->base, c->source.document, &m, err);
}

static int put(struct kstore_sqlite *st, const struct kcase *c, const char *json, size_t len,
	       struct kstore_prep *prep, int *outcome, struct kerr *err)
{
	int rc, own = !st->in_txn;

	if (own && (rc = ksqlite_begin(&st->base, err)))
		return rc;
	rc = put_locked(st, c, json, len, prep, 0, NULL, outcome, err);
	if (!rc)
		rc = put_doc_of(st, c, err);
	if (own) {
		if (rc)
			ksqlite_rollback(&st->base);
		else
			rc = ksqlite_commit(&st->base, err);
	}
	return rc;
}

int ksqlite_put_case(struct kstore_sqlite *st, const struct kcase *c, int revision, const char *action,
		     int *outcome, struct kerr *err)
{
	return put_locked(st, c, NULL, 0, NULL, revision, action, outcome, err);
}

static int ksqlite_put(struct kstore *kst, const struct kcase *c, int *outcome, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	return put(st, c, NULL, 0, NULL, outcome, err);
}

static int ksqlite_put_json(struct kstore *kst, const struct kcase *c, const char *json, size_t len,
			    struct kstore_prep *prep, int *outcome, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	return put(st, c, json ? json : "", json ? len : 0, prep, outcome, err);
}

static int ksqlite_delete(struct kstore *kst, const char *id, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	int rc, own = !st->in_txn;

	if (own && (rc = ksqlite_begin(&st->base, err)))
		return rc;
	if (ksqlite_prepare(st, "SELECT rid FROM cases WHERE id = ?1", &s, err)) {
		rc = KE_DB;
		goto out;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && ((rc = ksqlite_vocab_case(st, sqlite3_column_int64(s, 0), -1, err)) ||
					      (rc = ksqlite_counts_case(st, sqlite3_column_int64(s, 0), -1, err)) ||
					      (rc = unindex(st, sqlite3_column_int64(s, 0), err))))
		goto out;
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(st->db, "DELETE FROM cases WHERE id = ?1", -1, &s, NULL) != SQLITE_OK) {
		rc = ksqlite_db_err(st, err, "delete");
		goto out;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = ksqlite_db_err(st, err, "delete");
		goto out;
	}
	if (sqlite3_changes(st->db) == 0) {
		rc = kerr_set(err, KE_NOTFOUND, "no case with id \"%s\"", id);
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(st->db, "DELETE FROM revisions WHERE id = ?1", -1, &s, NULL) != SQLITE_OK) {
		rc = ksqlite_db_err(st, err, "delete");
		goto out;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ksqlite_db_err(st, err, "delete");
	if (!rc)
		rc = ksqlite_audit(st, "case.delete", "case", id, NULL, err);
out:
	sqlite3_finalize(s);
	if (own) {
		if (rc)
			ksqlite_rollback(&st->base);
		else
			rc = ksqlite_commit(&st->base, err);
	}
	return rc;
}

/* ---- reading ----------------------------------------------------------- */

static int case_from_text(struct kcase *c, const char *text, const char *what, struct kerr *err)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	int rc;

	if (!j)
		return kerr_set(err, KE_DB, "%s: stored JSON is damaged: %s", what, je.text);
	rc = kcase_from_json(c, j, err);
	json_decref(j);
	return rc;
}

static int ksqlite_get(struct kstore *kst, const char *id, struct kcase *c, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = st->stmt[S_GET];
	int rc;

	sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = case_from_text(c, (const char *)sqlite3_column_text(s, 0), id, err);
	else if (rc == SQLITE_DONE)
		rc = kerr_set(err, KE_NOTFOUND, "no case with id \"%s\"", id);
	else
		rc = ksqlite_db_err(st, err, "reading the case");
	sqlite3_reset(s);
	return rc;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

#define ROW_COLS KSQLITE_ROW_COLS

void ksqlite_fill_row(sqlite3_stmt *s, struct kcase_row *r)
{
	memset(r, 0, sizeof(*r));
	r->rid = sqlite3_column_int64(s, 0);
	r->id = col_text(s, 1);
	r->title = col_text(s, 2);
	r->document = col_text(s, 3);
	r->has_year = sqlite3_column_type(s, 4) != SQLITE_NULL;
	r->year = sqlite3_column_int(s, 4);
	r->has_case_number = sqlite3_column_type(s, 5) != SQLITE_NULL;
	r->case_number = sqlite3_column_int(s, 5);
	r->category = col_text(s, 6);
	r->tlp = col_text(s, 7);
	r->event_class = col_text(s, 8);
	r->revision = sqlite3_column_int(s, 9);
	r->created = col_text(s, 10);
	r->updated = col_text(s, 11);
	r->json = col_text(s, 12);
}

/* ---- who may see what ------------------------------------------------------ */

/*
 * The one place the SQLite backend turns the TLP table (kreader_level_rule,
 * reader.c) into SQL: every listing, count, search, facet and single-case
 * read for a reader goes through ksqlite_visible_sql().
 *
 * For each level the rule is "all", "never" or one or more conditions on
 * the case (ksqlite_visible_masks); a condition the reader cannot meet (no
 * organisation, no sectors, no login) is dropped, so anonymous readers and
 * the local operator get a plain level test and no subquery, as before
 * cases had owners.  The conditions read only small covering indexes,
 * never the cases' rows (owner is stored after the body):
 *
 *   own org   cases_owner (owner, tlp)              owner = :vis_org
 *   sectors   case_tags_value (kind, value)         kind 'sector', value IN (:vis_s0, ...)
 *   named     case_recipients_login (login, rid)    login = :vis_login
 *
 * (the level of a tagged or named case from cases_facets, which starts
 * with rid).  Three shapes of the same conditions:
 *
 * KSQLITE_VIS_ROWIDS  a statement: the rowids r sees under a condition,
 *                     "SELECT rid ... UNION ALL ..." (a rowid may come twice);
 * KSQLITE_VIS_WHERE   a condition on cases c for a set of rows:
 *                     "(c.tlp IN (levels seen on every case) OR c.rid IN (ROWIDS))",
 *                     the subquery run once per statement;
 * KSQLITE_VIS_ROW     the same condition for one row, each term an index
 *                     lookup of that row (EXISTS), not the whole set.
 */
void ksqlite_visible_masks(const struct kreader *r, struct ksqlite_vis *v)
{
	memset(v, 0, sizeof(*v));
	for (int i = 0; i < 5; i++) {
		unsigned rule = kreader_level_rule(r, i);

		if (rule & KRULE_ALL) {
			v->all |= 1u << i;
			continue;
		}
		if ((rule & KRULE_OWN_ORG) && r && r->org && *r->org)
			v->org |= 1u << i;
		if ((rule & KRULE_NAMED) && r && r->login && *r->login)
			v->named |= 1u << i;
		if (rule & KRULE_SECTORS)
			for (size_t k = 0; r && k < r->nsectors && k < KREADER_MAX_SECTORS; k++)
				if (r->sectors[k] && *r->sectors[k])
					v->sectors |= 1u << i;
	}
}

/* "COL IN ('clear','green')" for the levels of mask m (not 0). */
static int tlp_in(struct kbuf *b, const char *col, unsigned m)
{
	static const char *const names[] = { "'clear'", "'green'", "'amber'", "'amber+strict'", "'red'" };
	int rc = kbuf_addf(b, "%s IN (", col);

	for (int i = 0, n = 0; i < 5; i++)
		if (m >> i & 1)
			rc |= kbuf_addf(b, "%s%s", n++ ? "," : "", names[i]);
	return rc | kbuf_addch(b, ')');
}

/* ":vis_s0, :vis_s3" for the reader's sectors (the numbers: their places in r->sectors) */
static int sector_params(struct kbuf *b, const struct kreader *r)
{
	int rc = 0;

	for (size_t k = 0, m = 0; k < r->nsectors && k < KREADER_MAX_SECTORS; k++)
		if (r->sectors[k] && *r->sectors[k])
			rc |= kbuf_addf(b, "%s:vis_s%zu", m++ ? ", " : "", k);
	return rc;
}

static int rowids_sql(const struct kreader *r, const struct ksqlite_vis *v, struct kbuf *sql)
{
	int rc = 0, n = 0;

	if (v->org) {
		rc |= kbuf_adds(sql, "SELECT rid FROM cases INDEXED BY cases_owner WHERE owner = :vis_org AND ");
		rc |= tlp_in(sql, "tlp", v->org);
		n++;
	}
	if (v->sectors) {
		rc |= kbuf_adds(sql, n++ ? " UNION ALL " : "");
		rc |= kbuf_adds(sql, "SELECT vt.rid FROM case_tags vt JOIN cases vc INDEXED BY cases_facets"
			       " ON vc.rid = vt.rid WHERE vt.kind = 'sector' AND vt.value IN (");
		rc |= sector_params(sql, r);
		rc |= kbuf_adds(sql, ") AND ");
		rc |= tlp_in(sql, "vc.tlp", v->sectors);
	}
	if (v->named) {
		rc |= kbuf_adds(sql, n++ ? " UNION ALL " : "");
		rc |= kbuf_adds(sql, "SELECT vr.rid FROM case_recipients vr JOIN cases vc INDEXED BY cases_facets"
			       " ON vc.rid = vr.rid WHERE vr.login = :vis_login AND ");
		rc |= tlp_in(sql, "vc.tlp", v->named);
	}
	return rc;
}

static int row_sql(const struct kreader *r, const struct ksqlite_vis *v, struct kbuf *sql, int n)
{
	int rc = 0;

	if (v->org) {
		rc |= kbuf_adds(sql, n++ ? " OR (" : "(");
		rc |= tlp_in(sql, "c.tlp", v->org);
		rc |= kbuf_adds(sql, " AND EXISTS (SELECT 1 FROM cases vo INDEXED BY cases_owner"
			       " WHERE vo.owner = :vis_org AND vo.tlp = c.tlp AND vo.rid = c.rid))");
	}
	if (v->sectors) {
		rc |= kbuf_adds(sql, n++ ? " OR (" : "(");
		rc |= tlp_in(sql, "c.tlp", v->sectors);
		rc |= kbuf_adds(sql, " AND EXISTS (SELECT 1 FROM case_tags vt WHERE vt.rid = c.rid"
			       " AND vt.kind = 'sector' AND vt.value IN (");
		rc |= sector_params(sql, r);
		rc |= kbuf_adds(sql, ")))");
	}
	if (v->named) {
		rc |= kbuf_adds(sql, n++ ? " OR (" : "(");
		rc |= tlp_in(sql, "c.tlp", v->named);
		rc |= kbuf_adds(sql, " AND EXISTS (SELECT 1 FROM case_recipients vr WHERE vr.rid = c.rid"
			       " AND vr.login = :vis_login))");
	}
	return rc;
}

int ksqlite_visible_sql(const struct kreader *r, int shape, const char *lead, struct kbuf *sql)
{
	struct ksqlite_vis v;
	int rc = 0, cond;

	ksqlite_visible_masks(r, &v);
	cond = (v.org | v.sectors | v.named) != 0;
	if (shape == KSQLITE_VIS_ROWIDS) {
		if (!cond)
			return 0;
		rc |= kbuf_adds(sql, lead);
		rc |= rowids_sql(r, &v, sql);
		return rc ? KE_NOMEM : 1;
	}
	if (v.all == 0x1f)
		return 0;
	rc |= kbuf_adds(sql, lead);
	rc |= kbuf_addch(sql, '(');
	if (v.all)
		rc |= tlp_in(sql, "c.tlp", v.all);
	if (cond && shape == KSQLITE_VIS_ROW) {
		rc |= row_sql(r, &v, sql, v.all != 0);
	} else if (cond) {
		rc |= kbuf_adds(sql, v.all ? " OR c.rid IN (" : "c.rid IN (");
		rc |= rowids_sql(r, &v, sql);
		rc |= kbuf_addch(sql, ')');
	}
	if (!v.all && !cond)
		rc |= kbuf_adds(sql, "0"); /* nothing at all */
	rc |= kbuf_addch(sql, ')');
	return rc ? KE_NOMEM : 1;
}

void ksqlite_bind_visible(sqlite3_stmt *s, const struct kreader *r)
{
	char name[16];
	int i;

	if (!r || r->kind != KREADER_USER)
		return;
	if (r->org && (i = sqlite3_bind_parameter_index(s, ":vis_org")) > 0)
		sqlite3_bind_text(s, i, r->org, -1, SQLITE_TRANSIENT);
	if (r->login && (i = sqlite3_bind_parameter_index(s, ":vis_login")) > 0)
		sqlite3_bind_text(s, i, r->login, -1, SQLITE_TRANSIENT);
	for (size_t k = 0; k < r->nsectors && k < KREADER_MAX_SECTORS; k++) {
		snprintf(name, sizeof(name), ":vis_s%zu", k);
		if (r->sectors[k] && (i = sqlite3_bind_parameter_index(s, name)) > 0)
			sqlite3_bind_text(s, i, r->sectors[k], -1, SQLITE_TRANSIENT);
	}
}

int ksqlite_visible_rid(struct kstore_sqlite *st, const struct kreader *r, long long rid, const char *tlp,
			struct kerr *err)
{
	struct kbuf sql = KBUF_INIT;
	struct ksqlite_vis v;
	sqlite3_stmt *s;
	int level = ktlp_rank(tlp), rc;

	ksqlite_visible_masks(r, &v);
	if (level < 0)
		return v.all == 0x1f; /* cannot be stored; the local operator sees it anyway */
	if (v.all >> level & 1)
		return 1;
	if (!((v.org | v.sectors | v.named) >> level & 1))
		return 0;
	/* a level r sees on some cases: is this one of them? */
	rc = kbuf_adds(&sql, "SELECT 1 FROM cases c WHERE c.rid = :rid");
	if (rc < 0 || ksqlite_visible_sql(r, KSQLITE_VIS_ROW, " AND ", &sql) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (!st->vis_row || !st->vis_row_sql || strcmp(st->vis_row_sql, sql.buf)) {
		sqlite3_finalize(st->vis_row);
		free(st->vis_row_sql);
		st->vis_row = NULL;
		st->vis_row_sql = NULL;
		if ((rc = ksqlite_prepare(st, sql.buf, &st->vis_row, err)))
			goto out;
		st->vis_row_sql = kbuf_detach(&sql, NULL);
	}
	s = st->vis_row;
	sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":rid"), rid);
	ksqlite_bind_visible(s, r);
	rc = sqlite3_step(s);
	rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : ksqlite_db_err(st, err, "checking who may see a case");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
out:
	kbuf_release(&sql);
	return rc;
}

/*
 * Append the WHERE conditions of f to sql, with numbered parameters bound
 * later by ksqlite_bind_filter() in the same order.
 */
int ksqlite_filter_sql(const struct kfilter *f, struct kbuf *sql)
{
	int rc = kbuf_adds(sql, " WHERE 1");

	if (f->document)
		rc |= kbuf_adds(sql, " AND c.document = :document");
	if (f->year)
		rc |= kbuf_adds(sql, " AND c.year = :year");
	if (f->year_from)
		rc |= kbuf_adds(sql, " AND c.year >= :year_from");
	if (f->year_to)
		rc |= kbuf_adds(sql, " AND c.year <= :year_to");
	if (f->none & 1u << KFACET_YEAR)
		rc |= kbuf_adds(sql, " AND c.year IS NULL");
	if (f->none & 1u << KFACET_EVENT_CLASS)
		rc |= kbuf_adds(sql, " AND c.event_class IS NULL");
	if (f->none & 1u << KFACET_THREAT)
		rc |= kbuf_adds(sql, " AND NOT EXISTS (SELECT 1 FROM case_tags t WHERE t.rid = c.rid"
				     " AND t.kind = 'threat')");
	if (f->none & 1u << KFACET_SECTOR)
		rc |= kbuf_adds(sql, " AND NOT EXISTS (SELECT 1 FROM case_tags t WHERE t.rid = c.rid"
				     " AND t.kind = 'sector')");
	if (f->category)
		rc |= kbuf_adds(sql, " AND c.category = :category");
	if (f->tlp)
		rc |= kbuf_adds(sql, " AND c.tlp = :tlp");
	if (f->reader_level)
		rc |= kbuf_adds(sql, " AND c.reader_level = :reader_level");
	if (f->tag)
		rc |= kbuf_adds(sql, " AND c.rid IN (SELECT rid FROM case_tags WHERE value = :tag)");
	if (f->event_class)
		rc |= kbuf_adds(sql, " AND c.rid IN (SELECT rid FROM case_tags WHERE kind = 'event_class'"
				     " AND value = :event_class)");
	if (f->threat)
		rc |= kbuf_adds(sql, " AND c.rid IN (SELECT rid FROM case_tags WHERE kind = 'threat'"
				     " AND value = :threat)");
	if (f->sector)
		rc |= kbuf_adds(sql, " AND c.rid IN (SELECT rid FROM case_tags WHERE kind = 'sector'"
				     " AND value = :sector)");
	if (f->only)
		rc |= kbuf_adds(sql, " AND kyokun_rid_in(:only, c.rid)");
	if (!rc && ksqlite_visible_sql(f->reader, KSQLITE_VIS_WHERE, " AND ", sql) < 0)
		rc = KE_NOMEM;
	return rc ? KE_NOMEM : 0;
}

static void bind_name(sqlite3_stmt *s, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i > 0 && v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

void ksqlite_bind_filter(sqlite3_stmt *s, const struct kfilter *f)
{
	int i;

	bind_name(s, ":document", f->document);
	bind_name(s, ":category", f->category);
	bind_name(s, ":tlp", f->tlp);
	bind_name(s, ":reader_level", f->reader_level);
	bind_name(s, ":tag", ksector_parse(f->tag) ? ksector_parse(f->tag) : f->tag);
	bind_name(s, ":event_class", f->event_class);
	bind_name(s, ":threat", f->threat);
	bind_name(s, ":sector", ksector_parse(f->sector) ? ksector_parse(f->sector) : f->sector);
	ksqlite_bind_visible(s, f->reader);
	if (f->only && (i = sqlite3_bind_parameter_index(s, ":only")) > 0)
		sqlite3_bind_pointer(s, i, (void *)f->only, "kyokun_rid_set", NULL);
	if ((i = sqlite3_bind_parameter_index(s, ":year")) > 0)
		sqlite3_bind_int(s, i, f->year);
	if ((i = sqlite3_bind_parameter_index(s, ":year_from")) > 0)
		sqlite3_bind_int(s, i, f->year_from);
	if ((i = sqlite3_bind_parameter_index(s, ":year_to")) > 0)
		sqlite3_bind_int(s, i, f->year_to);
	if ((i = sqlite3_bind_parameter_index(s, ":limit")) > 0)
		sqlite3_bind_int64(s, i, f->limit > 0 ? f->limit : -1);
	if ((i = sqlite3_bind_parameter_index(s, ":offset")) > 0)
		sqlite3_bind_int64(s, i, f->offset > 0 ? f->offset : 0);
}

int ksqlite_prepare(struct kstore_sqlite *st, const char *sql, sqlite3_stmt **s, struct kerr *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return ksqlite_db_err(st, err, "query");
	return 0;
}

int ksqlite_walk_rows(struct kstore_sqlite *st, sqlite3_stmt *s, kstore_row_cb cb, void *ctx, struct kerr *err)
{
	struct kcase_row row;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ksqlite_fill_row(s, &row);
		if ((rc = cb(ctx, &row)))
			return rc;
	}
	return rc == SQLITE_DONE ? 0 : ksqlite_db_err(st, err, "query");
}

static int ksqlite_list(struct kstore *kst, const struct kfilter *f, kstore_row_cb cb, void *ctx,
		long *total, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf sql = KBUF_INIT, where = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	const char *order;
	int rc;

	if (ksqlite_filter_sql(f, &where) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (total && (rc = ksqlite_facets_count(st, NULL, f, 0, NULL, NULL, total, err)) <= 0) {
		/* counted from the columns kept in memory */
		if (rc < 0)
			goto out;
		total = NULL;
	}
	if (total) {
		if (kbuf_addf(&sql, "SELECT count(*) FROM cases c%s", kbuf_str(&where)) < 0) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		if ((rc = ksqlite_prepare(st, sql.buf, &s, err)))
			goto out;
		ksqlite_bind_filter(s, f);
		*total = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
		sqlite3_finalize(s);
		s = NULL;
		kbuf_reset(&sql);
	}
#define LIST_ORDER "c.document IS NULL, c.document, c.case_number IS NULL, c.case_number, c.id"
	order = f->sort == KSORT_YEAR ? " ORDER BY c.year IS NULL, c.year DESC, " LIST_ORDER
		: f->sort == KSORT_UPDATED ? " ORDER BY c.updated DESC, c.rid DESC"
		/* one report: the same order, as the index cases_doc_order holds it */
		: f->document ? " ORDER BY c.case_number IS NULL, c.case_number, c.id" : " ORDER BY " LIST_ORDER;
	/* a page: its rows chosen on the short columns first (sorting whole rows reads every body) */
	if ((f->limit > 0 ? kbuf_addf(&sql, "SELECT " ROW_COLS " FROM cases c WHERE c.rid IN (SELECT c.rid"
				      " FROM cases c%s%s LIMIT :limit OFFSET :offset)%s",
				      kbuf_str(&where), order, order)
			  : kbuf_addf(&sql, "SELECT " ROW_COLS " FROM cases c%s%s"
				      " LIMIT :limit OFFSET :offset", kbuf_str(&where), order)) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = ksqlite_prepare(st, sql.buf, &s, err)))
		goto out;
	ksqlite_bind_filter(s, f);
	rc = ksqlite_walk_rows(st, s, cb, ctx, err);
out:
	sqlite3_finalize(s);
	kbuf_release(&sql);
	kbuf_release(&where);
	return rc;
}

static int ksqlite_recent(struct kstore *kst, const struct kreader *r, int n, kstore_row_cb cb, void *ctx,
		  struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf sql = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc;

	rc = kbuf_adds(&sql, "SELECT " ROW_COLS " FROM cases c");
	if (rc < 0 || ksqlite_visible_sql(r, KSQLITE_VIS_WHERE, " WHERE ", &sql) < 0 ||
	    kbuf_adds(&sql, " ORDER BY c.created DESC, c.rid DESC LIMIT :n") < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = ksqlite_prepare(st, sql.buf, &s, err)))
		goto out;
	sqlite3_bind_int(s, sqlite3_bind_parameter_index(s, ":n"), n);
	ksqlite_bind_visible(s, r);
	rc = ksqlite_walk_rows(st, s, cb, ctx, err);
out:
	sqlite3_finalize(s);
	kbuf_release(&sql);
	return rc;
}

static int ksqlite_history(struct kstore *kst, const char *id, kstore_rev_cb cb, void *ctx,
		   struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	struct krevision rev;
	int rc, n = 0;

	/* a case, or a draft (its current version in case_drafts), and the revisions before */
	rc = ksqlite_prepare(st, "SELECT revision, updated, body, 1, author, 0 FROM cases WHERE id = ?1"
			 " UNION ALL SELECT revision, updated, body, 1, author, 1 FROM case_drafts WHERE id = ?1"
			 " UNION ALL SELECT revision, saved, body, 0, author, draft FROM revisions WHERE id = ?1"
			 " ORDER BY 1 DESC", &s, err);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rev.revision = sqlite3_column_int(s, 0);
		rev.saved = col_text(s, 1);
		rev.json = col_text(s, 2);
		rev.current = sqlite3_column_int(s, 3);
		rev.author = col_text(s, 4);
		rev.draft = sqlite3_column_int(s, 5);
		if (n == 0 && !rev.current)
			break; /* revisions of a deleted case are not shown */
		n++;
		if ((rc = cb(ctx, &rev)))
			goto out;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		rc = ksqlite_db_err(st, err, "history");
	else
		rc = n ? 0 : kerr_set(err, KE_NOTFOUND, "no case with id \"%s\"", id);
out:
	sqlite3_finalize(s);
	return rc;
}

static int ksqlite_documents(struct kstore *kst, const struct kreader *r, kstore_doc_cb cb, void *ctx,
		     struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf sql = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	struct kdocument d;
	unsigned levels;
	int rc;

	/* a reader who sees whole TLP levels: from the kept counts, a few rows at any size */
	if (ksqlite_counts_usable(r, &levels))
		return ksqlite_counts_documents(st, levels, cb, ctx, err);
	rc = kbuf_adds(&sql, "SELECT g.document, coalesce(g.y, d.year), g.n, d.title, d.publisher, d.published, d.url"
		       " FROM (SELECT c.document AS document, max(c.year) AS y, count(*) AS n"
		       " FROM cases c INDEXED BY cases_doc_year WHERE c.document IS NOT NULL");
	if (rc < 0 || ksqlite_visible_sql(r, KSQLITE_VIS_WHERE, " AND ", &sql) < 0 ||
	    kbuf_adds(&sql, " GROUP BY c.document) g LEFT JOIN documents d ON d.name = g.document"
			    " ORDER BY g.y IS NULL, g.y DESC, g.document") < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = ksqlite_prepare(st, sql.buf, &s, err)))
		goto out;
	ksqlite_bind_visible(s, r);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		d.name = col_text(s, 0);
		d.has_year = sqlite3_column_type(s, 1) != SQLITE_NULL;
		d.year = sqlite3_column_int(s, 1);
		d.ncases = (long)sqlite3_column_int64(s, 2);
		d.title = col_text(s, 3);
		d.publisher = col_text(s, 4);
		d.published = col_text(s, 5);
		d.url = col_text(s, 6);
		if ((rc = cb(ctx, &d)))
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : ksqlite_db_err(st, err, "documents");
out:
	sqlite3_finalize(s);
	kbuf_release(&sql);
	return rc;
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static int ksqlite_doc_put(struct kstore *kst, const char *name, const struct kdocmeta *m, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	int rc, own;

	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	if ((rc = ksqlite_prepare(st,
			"INSERT INTO documents(name, title, publisher, year, published, url) VALUES(?, ?, ?, ?, ?, ?)"
			" ON CONFLICT(name) DO UPDATE SET title = coalesce(excluded.title, title),"
			" publisher = coalesce(excluded.publisher, publisher), year = coalesce(excluded.year, year),"
			" published = coalesce(excluded.published, published), url = coalesce(excluded.url, url)",
			&s, err)))
		goto out;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	bind_opt(s, 2, m->title);
	bind_opt(s, 3, m->publisher);
	if (m->has_year)
		sqlite3_bind_int(s, 4, m->year);
	else
		sqlite3_bind_null(s, 4);
	bind_opt(s, 5, m->published);
	bind_opt(s, 6, m->url);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "storing the document");
out:
	sqlite3_finalize(s);
	return ksqlite_wend(st, own, rc, err);
}

static int dup_col(sqlite3_stmt *s, int i, char **out)
{
	const char *v = col_text(s, i);

	if (!v)
		return 0;
	return (*out = strdup(v)) ? 0 : -1;
}

static int ksqlite_doc_get(struct kstore *kst, const char *name, struct kdocmeta *m, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = ksqlite_prepare(st, "SELECT title, publisher, year, published, url FROM documents WHERE name = ?",
				  &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		rc = 0;
		m->has_year = sqlite3_column_type(s, 2) != SQLITE_NULL;
		m->year = sqlite3_column_int(s, 2);
		if (dup_col(s, 0, &m->title) || dup_col(s, 1, &m->publisher) || dup_col(s, 3, &m->published) ||
		    dup_col(s, 4, &m->url)) {
			kdocmeta_free(m);
			rc = kerr_set(err, KE_NOMEM, "out of memory");
		}
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = ksqlite_db_err(st, err, "reading the document");
	}
	sqlite3_finalize(s);
	return rc;
}

/* kstore_doc_get for n distinct names: one statement (name IN (...)), m[] zeroed by the caller. */
static int ksqlite_doc_get_many(struct kstore *kst, const char *const *names, size_t n, struct kdocmeta *m,
				struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf sql = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (!n)
		return 0;
	if (n > 1000)
		return kerr_set(err, KE_INVALID, "documents: at most 1000 names at once");
	rc = kbuf_adds(&sql, "SELECT name, title, publisher, year, published, url FROM documents WHERE name IN (?");
	for (size_t i = 1; i < n && rc >= 0; i++)
		rc = kbuf_adds(&sql, ", ?");
	if (rc < 0 || kbuf_addch(&sql, ')') < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = ksqlite_prepare(st, sql.buf, &s, err)))
		goto out;
	for (size_t i = 0; i < n; i++)
		sqlite3_bind_text(s, (int)i + 1, names[i], -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = col_text(s, 0);

		for (size_t i = 0; name && i < n; i++) {
			if (strcmp(names[i], name))
				continue;
			m[i].has_year = sqlite3_column_type(s, 3) != SQLITE_NULL;
			m[i].year = sqlite3_column_int(s, 3);
			if (dup_col(s, 1, &m[i].title) || dup_col(s, 2, &m[i].publisher) ||
			    dup_col(s, 4, &m[i].published) || dup_col(s, 5, &m[i].url)) {
				rc = kerr_set(err, KE_NOMEM, "out of memory");
				goto out;
			}
			break;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : ksqlite_db_err(st, err, "reading the documents");
out:
	if (rc < 0)
		for (size_t i = 0; i < n; i++)
			kdocmeta_free(&m[i]);
	sqlite3_finalize(s);
	kbuf_release(&sql);
	return rc;
}

static int ksqlite_count(struct kstore *kst, const struct kreader *r, long *n, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf sql = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc;

	*n = 0;
	rc = kbuf_adds(&sql, "SELECT count(*) FROM cases c INDEXED BY cases_facets");
	if (rc < 0 || ksqlite_visible_sql(r, KSQLITE_VIS_WHERE, " WHERE ", &sql) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = ksqlite_prepare(st, sql.buf, &s, err)))
		goto out;
	ksqlite_bind_visible(s, r);
	if (sqlite3_step(s) == SQLITE_ROW)
		*n = (long)sqlite3_column_int64(s, 0);
	else
		rc = ksqlite_db_err(st, err, "count");
out:
	sqlite3_finalize(s);
	kbuf_release(&sql);
	return rc;
}

/* ---- checking ------------------------------------------------------------ */

/*
 * FTS5's integrity-check is a command written as an INSERT, so it needs a
 * write transaction, which is rolled back (nothing is written).  A
 * read-only store runs it on a short read-write connection of its own.
 * rank 1 also compares the index with its content (case_text).
 * Returns 0 (checked: *bad is SQLite's result code, SQLITE_OK if sound),
 * 1 (cannot be checked here: the database cannot be written), or KE_DB.
 */
static int fts_check(struct kstore_sqlite *st, int quick, int *bad, char *msg, size_t msgsize, struct kerr *err)
{
	struct kstore_sqlite tmp = { .base.path = st->base.path };
	struct kstore_sqlite *c = st;
	int rc;

	*bad = SQLITE_OK;
	if (st->immutable)
		return 1;
	if (st->readonly) {
		c = &tmp;
		if (sqlite3_open_v2(st->base.path, &tmp.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
		    sqlite3_db_readonly(tmp.db, "main") == 1) {
			rc = 1;
			goto out;
		}
		sqlite3_extended_result_codes(tmp.db, 1);
		sqlite3_busy_timeout(tmp.db, WRITER_WAIT_MS);
		if ((rc = ktok_register(tmp.db, err)))
			goto out;
	}
	if ((rc = exec(c, "BEGIN", err)))
		goto out;
	if (sqlite3_exec(c->db, quick ? "INSERT INTO case_fts(case_fts, rank) VALUES('integrity-check', 0)" :
			 "INSERT INTO case_fts(case_fts, rank) VALUES('integrity-check', 1)",
			 NULL, NULL, NULL) != SQLITE_OK) {
		*bad = sqlite3_extended_errcode(c->db);
		snprintf(msg, msgsize, "%s", sqlite3_errmsg(c->db));
	}
	sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	if (*bad != SQLITE_OK && (*bad & 0xff) != SQLITE_CORRUPT && (*bad & 0xff) != SQLITE_NOTADB) {
		rc = kerr_set(err, KE_DB, "checking the full-text index: %s", msg);
		*bad = SQLITE_OK;
	}
out:
	if (tmp.db)
		sqlite3_close_v2(tmp.db);
	return rc;
}

static int ksqlite_check(struct kstore *kst, int flags, kstore_check_cb cb, void *ctx, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	int quick = flags & KSTORE_CHECK_QUICK;
	sqlite3_stmt *s = NULL;
	long problems = 0;
	char msg[512];
	int rc, bad;

	if (st->in_txn)
		return kerr_set(err, KE_DB, "a transaction is open");
	/* every problem found, up to 100 (SQLite's default) */
	if (sqlite3_prepare_v2(st->db, quick ? "PRAGMA quick_check" : "PRAGMA integrity_check", -1, &s,
			       NULL) != SQLITE_OK) {
		/* the schema cannot even be read */
		problems++;
		if ((rc = cb(ctx, "database", sqlite3_errmsg(st->db))))
			goto out;
	}
	while (s && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(s, 0);

		if (!m || !strcmp(m, "ok"))
			continue;
		/* problems one a line, after a line naming the database */
		while (*m) {
			size_t n = strcspn(m, "\n");

			if (n && strncmp(m, "***", 3)) {
				snprintf(msg, sizeof(msg), "%.*s", (int)n, m);
				problems++;
				if ((rc = cb(ctx, "database", msg)))
					goto out;
			}
			m += n + (m[n] == '\n');
		}
	}
	if (s && rc != SQLITE_DONE) {
		if ((rc & 0xff) != SQLITE_CORRUPT && (rc & 0xff) != SQLITE_NOTADB) {
			rc = kerr_set(err, KE_DB, "checking the database: %s", sqlite3_errmsg(st->db));
			goto out;
		}
		problems++;
		if ((rc = cb(ctx, "database", sqlite3_errmsg(st->db))))
			goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	rc = fts_check(st, quick, &bad, msg, sizeof(msg), err);
	if (rc < 0)
		goto out;
	if (rc == 1) {
		if ((rc = cb(ctx, NULL, "the full-text index was not checked: its check needs a write "
			     "transaction (nothing is written), and the database cannot be written here")))
			goto out;
	} else if (bad != SQLITE_OK) {
		problems++;
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%s",
			 quick ? "" : " (the index does not match the text of the cases, or is damaged)");
		if ((rc = cb(ctx, "full-text index", msg)))
			goto out;
	}
	/* the vocabulary against a recount from the index (a full check only: it reads every token) */
	if (!quick && !(flags & KSTORE_CHECK_NO_VOCAB) && rc == 0 && bad == SQLITE_OK) {
		long nbad = 0, ntok = 0;

		if ((rc = ksqlite_vocab_check(st, &nbad, &ntok, err)) < 0)
			goto out;
		if (nbad) {
			problems++;
			snprintf(msg, sizeof(msg), "%ld terms' case counts (the statistics of similar cases)"
				 " differ from a recount of the full-text index", nbad);
			if ((rc = cb(ctx, "vocabulary", msg)))
				goto out;
		}
		if (ntok) {
			problems++;
			snprintf(msg, sizeof(msg), "%ld TLP levels' totals of tokens (the cases' mean length in the"
				 " statistics of similar cases and of ranking) differ from the lengths in the full-text"
				 " index", ntok);
			if ((rc = cb(ctx, "vocabulary", msg)))
				goto out;
		}
	}
	/* the facet counts (the home page's) against a recount of the cases (a full check of a sound file only) */
	if (!quick && !(flags & KSTORE_CHECK_NO_VOCAB) && !problems) {
		long nbad = 0;

		if ((rc = ksqlite_counts_check(st, &nbad, err)) < 0)
			goto out;
		if (nbad) {
			problems++;
			snprintf(msg, sizeof(msg), "%ld facet counts (the home page's) differ from a recount of the"
				 " cases", nbad);
			if ((rc = cb(ctx, "facet counts", msg)))
				goto out;
		}
	}
	/* where the cases' parts begin (section: searches) against a recount of their text */
	if (!quick && !(flags & KSTORE_CHECK_NO_VOCAB) && !problems) {
		long nbad = 0;

		if ((rc = ksqlite_parts_check(st, &nbad, err)) < 0)
			goto out;
		if (nbad) {
			problems++;
			snprintf(msg, sizeof(msg), "%ld cases' parts (where each section begins in the index, for"
				 " searches in one section) differ from a recount of their text", nbad);
			if ((rc = cb(ctx, "section parts", msg)))
				goto out;
		}
	}
	rc = problems > INT_MAX ? INT_MAX : (int)problems;
out:
	sqlite3_finalize(s);
	return rc;
}

/* ---- the backend table ---------------------------------------------------- */

static int be_open(struct kstore **out, const char *path, int flags, struct kerr *err)
{
	struct kstore_sqlite *st;
	int rc = ksqlite_open(&st, path, flags, err);

	*out = st ? &st->base : NULL;
	return rc;
}

static void be_close(struct kstore *st)
{
	ksqlite_close(ksqlite(st));
}

const struct kstore_be kstore_be_sqlite = {
	.name = "sqlite",
	.global_init = ksqlite_global_init,
	.open = be_open,
	.close = be_close,
	.schema_version = ksqlite_schema_version,
	.schema_latest = ksqlite_schema_latest,
	.note = ksqlite_note,
	.changes = ksqlite_changes,
	.case_changes = ksqlite_case_changes,
	.check = ksqlite_check,
	.backup = ksqlite_backup,
	.file_version = ksqlite_file_version,
	.file_lock = ksqlite_file_lock,
	.file_unlock = ksqlite_file_unlock,
	.begin = ksqlite_begin,
	.read_begin = ksqlite_read_begin,
	.read_end = ksqlite_read_end,
	.begin_bulk = ksqlite_begin_bulk,
	.commit = ksqlite_commit,
	.rollback = ksqlite_rollback,
	.put = ksqlite_put,
	.put_json = ksqlite_put_json,
	.prep_make = ksqlite_prep_make,
	.prep_free = ksqlite_prep_free,
	.get = ksqlite_get,
	.delete = ksqlite_delete,
	.list = ksqlite_list,
	.recent = ksqlite_recent,
	.history = ksqlite_history,
	.documents = ksqlite_documents,
	.count = ksqlite_count,
	.doc_put = ksqlite_doc_put,
	.doc_get = ksqlite_doc_get,
	.doc_get_many = ksqlite_doc_get_many,
	.search_top = ksqlite_search_top,
	.search_tune = ksqlite_search_tune,
	.search_warm = ksqlite_search_warm,
	.search_count = ksqlite_search_count,
	.search_facets = ksqlite_search_facets,
	.search_facets_rids = ksqlite_search_facets_rids,
	.search_rids = ksqlite_search_rids,
	.search_parts_all = ksqlite_search_parts_all,
	.search_row = ksqlite_search_row,
	.search_highlight = ksqlite_search_highlight,
	.search_highlight_many = ksqlite_search_highlight_many,
	.search_marked = ksqlite_search_marked,
	.search_parts = ksqlite_search_parts,
	.case_text = ksqlite_case_text,
	.token_df = ksqlite_token_df,
	.phrase_df = ksqlite_phrase_df,
	.phrase_rows = ksqlite_phrase_rows,
	.indexed = ksqlite_indexed,
	.term_df = ksqlite_term_df,
	.term_docs = ksqlite_term_docs,
	.similar_top = ksqlite_similar_top,
	.search_counted = ksqlite_search_counted,
	.query_text = ksqlite_query_text,
	.account = &ksqlite_be_account,
	.report = &ksqlite_be_report,
};
