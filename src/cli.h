/*
 * cli.h - the command line: a table of subcommands (one file each,
 * src/cmd_*.c) and the context they share.
 *
 * A command function checks its arguments, then hands its work to
 * kcli_run(), which opens the store as the table says the command needs it.
 * It returns the process exit status: 0 ok, 1 some input was refused (or a
 * lookup failed), 2 usage error.  It prints its own messages (errors to
 * stderr, prefixed "kyokun: ").  Only main() exits.
 */
#ifndef KYOKUN_CLI_H
#define KYOKUN_CLI_H

#include <stdio.h>

struct kstore;
struct kcommand;

struct kcli {
	const char *db_path;          /* --db, KYOKUN_DB, or ./kyokun.db */
	const char *db_from;          /* "--db" or "$KYOKUN_DB" when given so (they win over
	                               * serve's configuration file), else NULL */
	int out_tty;                  /* stdout is a terminal */
	int err_tty;                  /* stderr is a terminal: show progress lines */
	const struct kcommand *cmd;   /* the command running (set by kcli_dispatch) */
	/*
	 * Who the command reads as: the operator at the command line
	 * (kreader_local, who holds the file and so sees every case), or with
	 * the global option --as LOGIN that user, under the TLP table exactly
	 * as the web and the API would show them.  Set by kcli_run_store()
	 * once the store is open; commands that read pass it to the store.
	 */
	int quiet;                    /* --quiet (add, import, backup, restore): no progress lines */
	const char *as;               /* --as LOGIN, or NULL */
	/*
	 * Set by a command that acts as --as LOGIN when it writes (report,
	 * draft): the store's actor is then that user (audit rows, authors),
	 * and the command asks the workflow what the user may do.  Other
	 * commands refuse --as for writing.
	 */
	int as_acts;
	const struct kreader *reader;
};

/* What a command needs of the store; kcli_run() opens it so. */
enum kcli_store {
	KCLI_NO_STORE,   /* nothing */
	KCLI_READ,       /* read-only: the database must exist (KSTORE_READONLY) */
	KCLI_WRITE,      /* read-write: created, or migrated to this version, if need be */
};

struct kcommand {
	const char *name;
	int (*fn)(struct kcli *cli, int argc, char **argv);
	enum kcli_store store;
	const char *summary;   /* one line for `kyokun help` */
	const char *usage;     /* full help for `kyokun help CMD` and CMD --help */
};

extern const struct kcommand kcommands[];
const struct kcommand *kcommand_find(const char *name);

/*
 * Run the command argv[0] (argc >= 1) with its arguments: its usage for
 * --help / -h, else its function.  Returns the exit status.
 */
int kcli_dispatch(struct kcli *cli, int argc, char **argv);

/*
 * A command calls this once its arguments are good: it opens the store as
 * the command table says (st is NULL for KCLI_NO_STORE), runs
 * run(cli, st, arg) and closes the store.  Returns run's exit status, or 1
 * (after the message) when the store cannot be opened.  Arguments are
 * checked first so that a usage error never creates a database.
 */
/*
 * The reader a command reads as (cli->reader) into *me, keeping the --max-tlp
 * limit already set in *me: for search and similar, which hold their reader.
 */
void kcli_reader_limit(const struct kcli *cli, struct kreader *me);
/*
 * The user of login into u (account commands): 0, or 1 after saying why
 * not ("no user with login ..." or the store's message).
 */
struct kuser;
/* {"key": list} on stdout, indented (account commands' --format json): 0 or KE_NOMEM in err. */
struct json_t;
struct kerr;
int kcli_print_list(const char *key, struct json_t *list, struct kerr *err);
int kcli_find_user(struct kstore *st, const char *login, struct kuser *u);
/* The message for a case that is not there, or that cli->reader may not see (the same words). */
const char *kcli_no_case(const char *id);

int kcli_run(struct kcli *cli, int (*run)(struct kcli *cli, struct kstore *st, void *arg), void *arg);
/*
 * The same with the store opened as need says (for commands whose
 * subcommands need different things: `user list` reads, `user add`
 * writes).  A store opened for writing names the actor of its audit rows
 * "local:OSUSER" at address "cli" (store_account.h).
 */
int kcli_run_store(struct kcli *cli, enum kcli_store need,
		   int (*run)(struct kcli *cli, struct kstore *st, void *arg), void *arg);

/* The program's usage: global options and the list of commands. */
void kcli_help(FILE *fp);
/*
 * Its parts, which the manual and the completion scripts (cli_doc.h) are
 * made from too: the usage lines, what kyokun is (two lines), the global
 * options ("  --opt ARG   text" lines).
 */
extern const char kcli_synopsis[];
extern const char kcli_about[];
extern const char kcli_globals[];

void kcli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the command's usage to fp. */
void kcli_usage(const struct kcommand *cmd, FILE *fp);
/* Report a usage error for cmd and return 2. */
int kcli_usage_error(const char *cmdname, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* After getopt_long() returned '?' or ':': report the offending option
 * (unknown, or missing its value) for cmdname and return 2. */
int kcli_bad_option(const char *cmdname, char **argv);

/*
 * The option values several commands take.  Each returns 0 and sets *out,
 * or reports a usage error of the running command ("OPT: expected ...")
 * and returns 2, the exit status.
 *
 * kcli_opt_choice: arg is one of choices (NULL-terminated); *out is its index.
 * kcli_opt_number: a decimal number from min to max (--limit, --threads).
 * kcli_opt_year:   a survey year, > 0 (--year).
 * kcli_opt_tlp:    a TLP level (--tlp, --max-tlp); *out (if out) is its rank.
 */
int kcli_opt_choice(const struct kcli *cli, const char *opt, const char *arg,
		    const char *const *choices, int *out);
int kcli_opt_number(const struct kcli *cli, const char *opt, const char *arg, long min, long max,
		    long *out);
int kcli_opt_year(const struct kcli *cli, const char *opt, const char *arg, int *out);
int kcli_opt_tlp(const struct kcli *cli, const char *opt, const char *arg, int *out);

/* "--help" / "-h" anywhere in argv (before "--")? */
int kcli_wants_help(int argc, char **argv);

/*
 * A progress line on stderr for long work, shown only when stderr is a
 * terminal and the command was not given --quiet (cli->quiet), at most four
 * times a second and not in the first quarter second:
 * "label: N cases (P%), R cases/s, 1m20s left".  n counts what was done
 * in units (default "cases"; set p->unit after init, e.g. "files"); done
 * and total (any measure: bytes, files, pages; total 0 when unknown) give
 * the share done and the time left.  kcli_progress_done() clears it.
 */
struct kprogress {
	int enabled;
	double start, last;
	double every; /* seconds between lines: 0.25, or KYOKUN_PROGRESS_DELAY */
	int shown;
	const char *unit;
};
void kcli_progress_init(struct kprogress *p, struct kcli *cli);
void kcli_progress(struct kprogress *p, const char *label, long n, long long done, long long total);
void kcli_progress_done(struct kprogress *p);

/* Display width of a UTF-8 string on a terminal (CJK counts 2). */
int kcli_width(const char *s);
/* Print s padded or cut to exactly width terminal columns. */
void kcli_print_cell(FILE *fp, const char *s, int width);

/* The command functions. */
int cmd_init(struct kcli *cli, int argc, char **argv);
int cmd_add(struct kcli *cli, int argc, char **argv);
int cmd_import(struct kcli *cli, int argc, char **argv);
int cmd_list(struct kcli *cli, int argc, char **argv);
int cmd_show(struct kcli *cli, int argc, char **argv);
int cmd_export(struct kcli *cli, int argc, char **argv);
int cmd_taxonomy(struct kcli *cli, int argc, char **argv);
int cmd_history(struct kcli *cli, int argc, char **argv);
int cmd_delete(struct kcli *cli, int argc, char **argv);
int cmd_search(struct kcli *cli, int argc, char **argv);
int cmd_similar(struct kcli *cli, int argc, char **argv);
int cmd_check(struct kcli *cli, int argc, char **argv);
int cmd_serve(struct kcli *cli, int argc, char **argv);
int cmd_help(struct kcli *cli, int argc, char **argv);
int cmd_org(struct kcli *cli, int argc, char **argv);
int cmd_user(struct kcli *cli, int argc, char **argv);
int cmd_token(struct kcli *cli, int argc, char **argv);
int cmd_audit(struct kcli *cli, int argc, char **argv);
int cmd_config(struct kcli *cli, int argc, char **argv);
int cmd_backup(struct kcli *cli, int argc, char **argv);
int cmd_restore(struct kcli *cli, int argc, char **argv);
int cmd_report(struct kcli *cli, int argc, char **argv);
int cmd_draft(struct kcli *cli, int argc, char **argv);
/* issue 13: selection, anonymisation, approval, the published report, the 総括 */
int cmd_select(struct kcli *cli, int argc, char **argv);
int cmd_redact(struct kcli *cli, int argc, char **argv);
int cmd_approve(struct kcli *cli, int argc, char **argv);
int cmd_publish(struct kcli *cli, int argc, char **argv);
int cmd_themes(struct kcli *cli, int argc, char **argv);

/*
 * Read a password for login (account commands): the first line of file if
 * not NULL; else from the terminal without echo, asked twice (what, e.g.
 * "New password", is the prompt), if standard input is one; else one line
 * of standard input.  *pw is malloc'ed (the caller wipes and frees it).
 * 0, or 1 after a message.
 */
int kcli_read_password(const char *file, const char *what, char **pw);

#endif
