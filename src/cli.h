/*
 * cli.h - the command line: a table of subcommands (one file each,
 * src/cmd_*.c) and the context they share.
 *
 * A command function returns the process exit status: 0 ok, 1 some input
 * was refused (or a lookup failed), 2 usage error.  It prints its own
 * messages (errors to stderr, prefixed "kyokun: ").  Only main() exits.
 */
#ifndef KYOKUN_CLI_H
#define KYOKUN_CLI_H

#include <stdio.h>

struct kstore;

struct kcli {
	const char *db_path;   /* --db, KYOKUN_DB, or ./kyokun.db */
	const char *prog;      /* "kyokun" */
	int out_tty;           /* stdout is a terminal */
	int err_tty;           /* stderr is a terminal: show progress lines */
	struct kstore *st;     /* opened by kcli_store(), closed by main */
};

struct kcommand {
	const char *name;
	int (*fn)(struct kcli *cli, int argc, char **argv);
	const char *summary;   /* one line for `kyokun help` */
	const char *usage;     /* full help for `kyokun help CMD` and CMD --help */
};

extern const struct kcommand kcommands[];
const struct kcommand *kcommand_find(const char *name);

/* Open the database named by cli->db_path (once); prints the error and returns NULL on failure. */
struct kstore *kcli_store(struct kcli *cli, int readonly);

void kcli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the command's usage to fp. */
void kcli_usage(const struct kcommand *cmd, FILE *fp);
/* Report a usage error for cmd and return 2. */
int kcli_usage_error(const char *cmdname, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* After getopt_long() returned '?' or ':': report the offending option
 * (unknown, or missing its value) for cmdname and return 2. */
int kcli_bad_option(const char *cmdname, char **argv);

/* "--help" / "-h" anywhere in argv (before "--")? */
int kcli_wants_help(int argc, char **argv);

/*
 * A progress line on stderr, shown only when stderr is a terminal and at most
 * a few times a second: "label: N (P%)".  kcli_progress_done() clears it.
 */
struct kprogress {
	int enabled;
	double last;
	int shown;
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
int cmd_history(struct kcli *cli, int argc, char **argv);
int cmd_delete(struct kcli *cli, int argc, char **argv);
int cmd_search(struct kcli *cli, int argc, char **argv);
int cmd_similar(struct kcli *cli, int argc, char **argv);
int cmd_check(struct kcli *cli, int argc, char **argv);
int cmd_serve(struct kcli *cli, int argc, char **argv);
int cmd_help(struct kcli *cli, int argc, char **argv);

#endif
