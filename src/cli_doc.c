/*
 * cli_doc.c - kyokun(1) and the bash and zsh completion scripts, read off
 * the command table.
 *
 * A command's usage text has a shape the readers here rely on (and
 * tests/cli/test_man.sh checks the result):
 *   - the usage lines first ("usage: kyokun CMD ...", more forms on lines
 *     "       kyokun CMD ...", continuations indented), then a blank line;
 *   - items "  --opt ARG   text" (a term, two or more spaces, its text; the
 *     text may go on in lines indented further), or at the left margin
 *     "CMD SUB ARG   text" for a subcommand;
 *   - other lines are running text, paragraphs separated by blank lines.
 * An option is any "--name" in the text; its argument is the word right
 * after it ("--opt ARG", "--opt a|b|c" for a choice) in some place.
 */
#include "cli_doc.h"
#include "cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef KYOKUN_VERSION
#define KYOKUN_VERSION "0.0.0"
#endif

/* A piece of a usage text (not NUL-terminated). */
struct span {
	const char *p;
	int n;
};

#define DOC_MAX_OPTS 64
#define DOC_MAX_SUBS 32

struct doc_opt {
	struct span name;   /* "--format" */
	struct span arg;    /* "FILE", "table|tsv|json", or empty */
	struct span help;   /* the first line of its item's text, or empty */
};

/* What completion needs to know of a command. */
struct doc_cmd {
	struct doc_opt opt[DOC_MAX_OPTS];
	int nopt;
	struct span sub[DOC_MAX_SUBS];   /* subcommands: "add", "list" */
	int nsub;
	int files;      /* takes FILE arguments */
	int commands;   /* takes a COMMAND argument (help) */
};

static int span_same(struct span a, struct span b)
{
	return a.n == b.n && !memcmp(a.p, b.p, a.n);
}

static int is_name_char(int c)
{
	return islower(c) || isdigit(c) || c == '-';
}

/* A placeholder: upper case, digits and _=.: ("FILE", "ADDR:PORT", "K=V"). */
static int is_placeholder(struct span s)
{
	if (s.n < 1 || !isupper((unsigned char)s.p[0]))
		return 0;
	for (int i = 0; i < s.n; i++)
		if (!isupper((unsigned char)s.p[i]) && !isdigit((unsigned char)s.p[i]) && !strchr("_=.:", s.p[i]))
			return 0;
	return 1;
}

/* A choice: lower-case words joined by '|' ("table|tsv|json"). */
static int is_choice(struct span s)
{
	int bar = 0;

	for (int i = 0; i < s.n; i++) {
		if (s.p[i] == '|')
			bar = 1;
		else if (!is_name_char((unsigned char)s.p[i]) && s.p[i] != '+')
			return 0;
	}
	return bar && s.n > 2;
}

/* An argument naming a file or directory: FILE, PATH, DIR. */
static int is_file_arg(struct span s)
{
	return (s.n >= 4 && (!memcmp(s.p, "FILE", 4) || !memcmp(s.p, "PATH", 4))) ||
	       (s.n >= 3 && !memcmp(s.p, "DIR", 3));
}

/* The word at p: up to a space, ']', ',', ')' or the end of the line. */
static struct span word_at(const char *p)
{
	struct span w = { p, 0 };

	while (p[w.n] && !strchr(" \n],)", p[w.n]))
		w.n++;
	return w;
}

/* The end of the usage lines: the first blank line (or the end). */
static const char *synopsis_end(const char *u)
{
	const char *e = strstr(u, "\n\n");

	return e ? e + 1 : u + strlen(u);
}

/* The text of the item "  --name ...   text" in u: its first line. */
static struct span item_text(const char *u, struct span name)
{
	struct span none = { "", 0 };

	for (const char *l = u; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		const char *p = l, *e;

		while (*p == ' ')
			p++;
		if (p == l || strncmp(p, name.p, name.n) || is_name_char((unsigned char)p[name.n]))
			continue;
		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		for (const char *g = p; g + 2 < e; g++)
			if (g[0] == ' ' && g[1] == ' ') {
				while (*g == ' ')
					g++;
				return (struct span){ g, (int)(e - g) };
			}
	}
	return none;
}

/* A global option ("--db" mentioned in a command's text is not its own). */
static int is_global(struct span name)
{
	for (const char *g = kcli_globals; (g = strstr(g, "  --")); g += 4)
		if (!strncmp(g + 2, name.p, name.n) && !is_name_char((unsigned char)g[2 + name.n]))
			return 1;
	return 0;
}

/* Read the options, subcommands and argument kinds of c's usage. */
static void doc_cmd_read(const struct kcommand *c, struct doc_cmd *d)
{
	const char *u = c->usage, *syn = synopsis_end(u);
	size_t cn = strlen(c->name);

	memset(d, 0, sizeof(*d));
	for (const char *p = u; (p = strstr(p, "--")); p += 2) {
		struct span name = { p, 2 }, arg = { "", 0 };
		int i;

		if ((p > u && (isalnum((unsigned char)p[-1]) || p[-1] == '-')) || !islower((unsigned char)p[2]))
			continue;
		while (is_name_char((unsigned char)p[name.n]))
			name.n++;
		if (is_global(name))
			continue;
		if ((p[name.n] == ' ' || p[name.n] == '=') && p[name.n + 1] != ' ') {
			arg = word_at(p + name.n + 1);
			if (!is_placeholder(arg) && !is_choice(arg))
				arg.n = 0;
		}
		for (i = 0; i < d->nopt && !span_same(d->opt[i].name, name); i++)
			;
		if (i == d->nopt) {
			if (d->nopt == DOC_MAX_OPTS)
				continue;
			d->nopt++;
			d->opt[i].name = name;
			d->opt[i].help = item_text(u, name);
		}
		/* a choice wins over a placeholder ("--format F" and "--format text|json") */
		if (arg.n && (!d->opt[i].arg.n || (is_choice(arg) && !is_choice(d->opt[i].arg))))
			d->opt[i].arg = arg;
	}
	/* the usage lines: "kyokun CMD SUB", positional FILE and COMMAND */
	for (const char *p = u; p < syn; p++) {
		struct span w, prev = { "", 0 };

		if (!strncmp(p, "kyokun ", 7) && !strncmp(p + 7, c->name, cn) && p[7 + cn] == ' ') {
			w = word_at(p + 8 + cn);
			int lower = w.n > 0;

			for (int i = 0; i < w.n; i++)
				lower &= islower((unsigned char)w.p[i]) != 0;
			if (lower && d->nsub < DOC_MAX_SUBS) {
				int i;

				for (i = 0; i < d->nsub && !span_same(d->sub[i], w); i++)
					;
				if (i == d->nsub)
					d->sub[d->nsub++] = w;
			}
		}
		if ((p == u || p[-1] == ' ' || p[-1] == '[') && (!strncmp(p, "FILE", 4) || !strncmp(p, "COMMAND", 7))) {
			/* the word before: an option's (its argument) or not */
			const char *q = p, *end;

			while (q > u && (q[-1] == ' ' || q[-1] == '['))
				q--;
			end = q;
			while (q > u && q[-1] != ' ' && q[-1] != '[' && q[-1] != '\n')
				q--;
			prev.p = q;
			prev.n = (int)(end - q);
			if (prev.n >= 2 && !strncmp(prev.p, "--", 2) && prev.p[prev.n - 1] != ']')
				continue;
			if (*p == 'F')
				d->files = 1;
			else
				d->commands = 1;
		}
	}
}

/* ---- troff ------------------------------------------------------------- */

/*
 * Write n bytes of s as troff text: backslashes as \e, hyphens as \-, a dot
 * or apostrophe starting a line behind \&, every non-ASCII character as
 * \[uXXXX] (so that the page is ASCII and needs no preconv).
 */
static void put_esc(FILE *fp, const char *s, int n, int line_start)
{
	const unsigned char *p = (const unsigned char *)s;

	for (int i = 0; i < n; i++) {
		unsigned c = p[i];

		if (line_start && (c == '.' || c == '\''))
			fputs("\\&", fp);
		line_start = c == '\n';
		if (c == '\\') {
			fputs("\\e", fp);
		} else if (c == '-') {
			fputs("\\-", fp);
		} else if (c < 0x80) {
			fputc((int)c, fp);
		} else {
			int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : -1;
			unsigned cp = c & (more == 3 ? 0x07 : more == 2 ? 0x0f : 0x1f);

			if (more < 0 || i + more >= n) {
				fputc('?', fp);
				continue;
			}
			for (int k = 1; k <= more; k++)
				cp = cp << 6 | (p[i + k] & 0x3f);
			i += more;
			fprintf(fp, "\\[u%04X]", cp);
		}
	}
}

static void put_str(FILE *fp, const char *s)
{
	put_esc(fp, s, (int)strlen(s), 1);
}

/* An item's term: options and subcommands bold, placeholders italic; other terms bold. */
static void put_term(FILE *fp, const char *p, int n, const char *cmd)
{
	int code = n > 0 && (p[0] == '-' || (cmd && !strncmp(p, cmd, strlen(cmd))));

	if (!code) {
		fputs("\\fB", fp);
		put_esc(fp, p, n, 1);
		fputs("\\fR\n", fp);
		return;
	}
	for (int i = 0; i < n;) {
		struct span w = { p + i, 0 };
		int upper = 0, lower = 0;

		while (i + w.n < n && p[i + w.n] != ' ')
			w.n++;
		for (int k = 0; k < w.n; k++) {
			upper |= isupper((unsigned char)w.p[k]) != 0;
			lower |= islower((unsigned char)w.p[k]) != 0;
		}
		fputs(upper && !lower ? "\\fI" : lower ? "\\fB" : "", fp);
		put_esc(fp, w.p, w.n, i == 0);
		fputs(upper || lower ? "\\fR" : "", fp);
		i += w.n;
		while (i < n && p[i] == ' ')
			fputc(p[i++], fp);
	}
	fputc('\n', fp);
}

/* A line starting with a label: a capital, letters and spaces, ':' (14 bytes at most). */
static int is_label(const char *r, int len)
{
	if (len < 2 || !isupper((unsigned char)r[0]))
		return 0;
	for (int i = 1; i < len && i < 14; i++) {
		if (r[i] == ':')
			return 1;
		if (!isalpha((unsigned char)r[i]) && r[i] != ' ')
			return 0;
	}
	return 0;
}

/*
 * Write text (usage text after the usage lines, or the global options) as
 * paragraphs and .TP items; cmd is the command's name (for subcommand items
 * at the left margin), or NULL.  pp_first: begin with a paragraph (.PP).
 * A line starting "Label:" ("Exit status:", "ROLE:") begins a paragraph.
 */
static void put_body(FILE *fp, const char *text, const char *cmd, int pp_first)
{
	int in_item = 0, ti = 0, tc = 0, need_pp = pp_first;
	size_t cn = cmd ? strlen(cmd) : 0;

	for (const char *l = text; *l;) {
		const char *e = strchr(l, '\n'), *r = l, *gap = NULL;
		int len, indent;

		if (!e)
			e = l + strlen(l);
		while (r < e && *r == ' ')
			r++;
		indent = (int)(r - l);
		len = (int)(e - r);
		for (const char *g = r; g + 2 < e; g++)
			if (g[0] == ' ' && g[1] == ' ') {
				gap = g;
				break;
			}
		if (len == 0) {
			need_pp = 1;
			in_item = 0;
		} else if (in_item && (indent >= tc - 4 || (indent > ti && !gap))) {
			put_esc(fp, r, len, 1);
			fputc('\n', fp);
		} else if (gap && gap - r <= 30 &&
			   (indent > 0 || (cmd && len > (int)cn && !strncmp(r, cmd, cn) && r[cn] == ' '))) {
			const char *t = gap;

			while (*t == ' ')
				t++;
			fputs(".TP\n", fp);
			put_term(fp, r, (int)(gap - r), cmd);
			put_esc(fp, t, (int)(e - t), 1);
			fputc('\n', fp);
			in_item = 1;
			ti = indent;
			tc = (int)(t - l);
			need_pp = 0;
		} else {
			if (need_pp || in_item || (indent == 0 && is_label(r, len)))
				fputs(".PP\n", fp);
			need_pp = in_item = 0;
			put_esc(fp, r, len, 1);
			fputc('\n', fp);
		}
		l = *e ? e + 1 : e;
	}
}

/*
 * Usage lines, without their "usage: " (or the 7 spaces under it): each form
 * ("kyokun CMD ...", its continuation lines joined) a line of its own, filled
 * with a hanging indent; "kyokun CMD SUB" bold, and a bracketed group never
 * broken across lines.
 */
static void put_synopsis(FILE *fp, const char *u, const char *end, int pp)
{
	int depth = 0, forms = 0;

	if (pp)
		fputs(".PP\n", fp);
	for (const char *l = u; l < end;) {
		const char *e = memchr(l, '\n', (size_t)(end - l));

		if (!e)
			e = end;
		if (!strncmp(l, "usage: ", 7) || !strncmp(l, "       ", 7))
			l += 7;
		if (e - l >= 6 && !strncmp(l, "kyokun", 6)) {
			const char *b = l + 6;

			/* the command and subcommand words */
			while (b < e && *b == ' ') {
				const char *w = b + 1;

				while (w < e && islower((unsigned char)*w))
					w++;
				if (w == b + 1 || (w < e && *w != ' '))
					break;
				b = w;
			}
			fputs(forms++ ? ".br\n.ti -8n\n" : ".in +8n\n.ti -8n\n", fp);
			fputs("\\fB", fp);
			put_esc(fp, l, (int)(b - l), 0);
			fputs("\\fR", fp);
			l = b;
		} else {
			while (l < e && *l == ' ')
				l++;
		}
		for (const char *p = l; p < e; p++) {
			depth += *p == '[' ? 1 : *p == ']' && depth > 0 ? -1 : 0;
			if (*p == ' ' && depth > 0)
				fputs("\\ ", fp);
			else
				put_esc(fp, p, 1, p == l && l != u);
		}
		fputc('\n', fp);
		l = e + 1;
	}
	fputs(".in\n", fp);
}

void kcli_doc_man(FILE *fp)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	struct tm tm;
	char date[32] = "";

	if (gmtime_r(&t, &tm))
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	fputs(".\\\" kyokun(1) - made by `kyokun help --man` from the command table (src/cli.c):\n"
	      ".\\\" edit the help texts there, not this file.\n", fp);
	fprintf(fp, ".TH KYOKUN 1 %s \"kyokun %s\" \"kyokun manual\"\n", date, KYOKUN_VERSION);
	fputs(".nh\n.ad l\n", fp);
	fputs(".SH NAME\nkyokun \\- a library of incident case studies in critical infrastructure\n", fp);

	fputs(".SH SYNOPSIS\n", fp);
	put_synopsis(fp, kcli_synopsis, kcli_synopsis + strlen(kcli_synopsis), 0);

	fputs(".SH DESCRIPTION\n", fp);
	put_body(fp, kcli_about, NULL, 0);
	fputs(".PP\n", fp);
	put_str(fp, "Every command works on one SQLite database file (--db).  The commands "
		    "below are those of `kyokun help`; `kyokun help COMMAND` and "
		    "`kyokun COMMAND --help` print the same text as the sections here.\n");

	fputs(".SH GLOBAL OPTIONS\nThese come before the command.\n", fp);
	put_body(fp, kcli_globals, NULL, 0);
	fputs(".TP\n\\fB\\-\\-help\\fR, \\fB\\-h\\fR\nprint the list of commands\n", fp);

	fputs(".SH COMMANDS\n", fp);
	put_str(fp, "Each command also takes --help (or -h), which prints its section.\n");
	for (const struct kcommand *c = kcommands; c->name; c++) {
		const char *syn = synopsis_end(c->usage);

		fputs(".SS ", fp);
		put_esc(fp, c->name, (int)strlen(c->name), 0);
		fputs("\n", fp);
		put_str(fp, c->summary);
		fputs("\n", fp);
		put_synopsis(fp, c->usage, syn > c->usage && syn[-1] == '\n' ? syn - 1 : syn, 1);
		put_body(fp, syn, c->name, 1);
	}

	fputs(".SH ENVIRONMENT\n", fp);
	fputs(".TP\n.B KYOKUN_DB\n", fp);
	put_str(fp, "the database when --db is not given (default ./kyokun.db).\n");
	fputs(".TP\n.B KYOKUN_SYNONYMS\n", fp);
	put_str(fp, "the synonyms file for search, instead of the one found beside the program (see FILES).\n");
	fputs(".TP\n.B KYOKUN_CROSSWALK\n", fp);
	put_str(fp, "a crosswalk file (the format of data/crosswalk.tsv: kyokun's vocabularies mapped onto "
		    "STIX, MISP and VERIS) used by export, add and taxonomy instead of the built-in copy.\n");
	fputs(".TP\n.B KYOKUN_SEARCH_THREADS\n", fp);
	put_str(fp, "how many threads rank a large search (default: one per CPU core; 1 for none).\n");
	fputs(".TP\n.B KYOKUN_PDF_DEBUG\n", fp);
	put_str(fp, "a number above 0: import prints what it reads of a PDF, for debugging.\n");
	fputs(".TP\n.B KYOKUN_NOW\n", fp);
	put_str(fp, "the time incident reports are judged at (deadlines, overdue), as RFC 3339 or "
		    "2026-12-03T09:00:00Z, instead of the clock: for tests and demonstrations.\n");
	fputs(".TP\n.B KYOKUN_PROGRESS_DELAY\n", fp);
	put_str(fp, "seconds between progress lines on a terminal (add, import, backup, restore; "
		    "default 0.25, 0 for a line at every step).\n");
	fputs(".TP\n.B KYOKUN_TEST_PUBLISH_FAIL\n", fp);
	put_str(fp, "pdf: publish fails at its PDF step, for tests that nothing is left behind.\n");
	fputs(".TP\n.B SOURCE_DATE_EPOCH\n", fp);
	put_str(fp, "the date of this manual when `kyokun help --man` writes it.\n");

	fputs(".SH FILES\n", fp);
	fputs(".TP\n.I ./kyokun.db\n", fp);
	put_str(fp, "the database by default (with its -wal and -shm files while in use).\n");
	fputs(".TP\n.I data/synonyms.txt\n", fp);
	put_str(fp, "synonyms for search, looked for as data/synonyms.txt, ../data/synonyms.txt and "
		    "../share/kyokun/synonyms.txt beside the program; without one, a built-in copy.\n");
	fputs(".TP\n.I data/crosswalk.tsv\n", fp);
	put_str(fp, "the crosswalk of the exchange formats, compiled in; $KYOKUN_CROSSWALK names a file "
		    "to use instead.\n");

	fputs(".SH EXIT STATUS\n", fp);
	fputs(".TP\n.B 0\nsuccess\n", fp);
	fputs(".TP\n.B 1\n", fp);
	put_str(fp, "some input was refused, a lookup failed, or the database could not be used\n");
	fputs(".TP\n.B 2\nusage error\n", fp);
	fputs(".PP\n", fp);
	put_str(fp, "A command's section says more where it differs.\n");

	fputs(".SH EXAMPLES\n", fp);
	fputs(".nf\n", fp);
	put_str(fp, "kyokun init\n"
		    "kyokun import reports/*.pdf\n"
		    "kyokun search 'ランサムウェア 訓練'\n"
		    "kyokun show --format md CASE-ID\n"
		    "kyokun export --format jsonl > cases.jsonl\n"
		    "kyokun --db /var/lib/kyokun/kyokun.db serve --listen 0.0.0.0:8080\n");
	fputs(".fi\n", fp);

	fputs(".SH SEE ALSO\n", fp);
	fputs(".BR sqlite3 (1),\n.BR pdftotext (1)\n", fp);
	fputs(".PP\n", fp);
	put_str(fp, "The interchange format (kyokun-case/1) is described in the source tree and "
		    "the JSON API in /api/openapi.json of a running server.\n");
}

/* ---- completion ---------------------------------------------------------- */

/* Write s for inside a shell's single quotes. */
static void put_sq(FILE *fp, const char *s, int n)
{
	for (int i = 0; i < n; i++) {
		if (s[i] == '\'')
			fputs("'\\''", fp);
		else
			fputc(s[i], fp);
	}
}

/* A name safe to write in a shell script unquoted. */
static int shell_safe(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_+.", s[i]))
			return 0;
	return n > 0;
}

static void put_choices(FILE *fp, struct span a)
{
	for (int i = 0; i < a.n; i++)
		fputc(a.p[i] == '|' ? ' ' : a.p[i], fp);
}

static void bash_script(FILE *fp)
{
	struct doc_cmd *d = malloc(sizeof(*d));

	if (!d)
		return;
	fputs("# bash completion for kyokun - made by `kyokun help --completion bash`\n"
	      "# from the command table (src/cli.c); do not edit.\n"
	      "_kyokun()\n{\n"
	      "\tlocal cur prev cmd i sub\n"
	      "\tlocal commands='", fp);
	for (const struct kcommand *c = kcommands; c->name; c++)
		if (shell_safe(c->name, (int)strlen(c->name)))
			fprintf(fp, "%s%s", c == kcommands ? "" : " ", c->name);
	fputs("'\n"
	      "\tCOMPREPLY=()\n"
	      "\tcur=${COMP_WORDS[COMP_CWORD]}\n"
	      "\tprev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\t# the command: the first word that is not a global option\n"
	      "\ti=1\n"
	      "\tcmd=\n"
	      "\twhile [ \"$i\" -lt \"$COMP_CWORD\" ]; do\n"
	      "\t\tcase ${COMP_WORDS[i]} in\n"
	      "\t\t--db|--as) i=$((i + 2)) ;;\n"
	      "\t\t-*) i=$((i + 1)) ;;\n"
	      "\t\t*) cmd=${COMP_WORDS[i]}; break ;;\n"
	      "\t\tesac\n"
	      "\tdone\n"
	      "\tif [ -z \"$cmd\" ]; then\n"
	      "\t\tcase $prev in\n"
	      "\t\t--db) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")); return 0 ;;\n"
	      "\t\t--as) return 0 ;;\n"
	      "\t\tesac\n"
	      "\t\tcase $cur in\n"
	      "\t\t-*) COMPREPLY=($(compgen -W '--db --as --version --help' -- \"$cur\")) ;;\n"
	      "\t\t*) COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\")) ;;\n"
	      "\t\tesac\n"
	      "\t\treturn 0\n"
	      "\tfi\n"
	      "\t# the argument of an option\n"
	      "\tcase $cmd:$prev in\n", fp);
	for (const struct kcommand *c = kcommands; c->name; c++) {
		doc_cmd_read(c, d);
		for (int i = 0; i < d->nopt; i++) {
			struct doc_opt *o = &d->opt[i];

			if (!o->arg.n || !shell_safe(o->name.p, o->name.n) || !shell_safe(c->name, (int)strlen(c->name)))
				continue;
			fprintf(fp, "\t%s:%.*s) ", c->name, o->name.n, o->name.p);
			if (is_choice(o->arg)) {
				fputs("COMPREPLY=($(compgen -W '", fp);
				put_choices(fp, o->arg);
				fputs("' -- \"$cur\")); return 0 ;;\n", fp);
			} else if (is_file_arg(o->arg)) {
				fputs("compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")); return 0 ;;\n", fp);
			} else {
				fputs("return 0 ;;\n", fp);
			}
		}
	}
	fputs("\tesac\n"
	      "\tcase $cmd in\n", fp);
	for (const struct kcommand *c = kcommands; c->name; c++) {
		if (!shell_safe(c->name, (int)strlen(c->name)))
			continue;
		doc_cmd_read(c, d);
		fprintf(fp, "\t%s)\n\t\tcase $cur in\n\t\t-*) COMPREPLY=($(compgen -W '", c->name);
		for (int i = 0; i < d->nopt; i++)
			if (shell_safe(d->opt[i].name.p, d->opt[i].name.n))
				fprintf(fp, "%.*s ", d->opt[i].name.n, d->opt[i].name.p);
		fputs("--help' -- \"$cur\")); return 0 ;;\n\t\tesac\n", fp);
		if (d->nsub) {
			fputs("\t\tif [ \"$COMP_CWORD\" -eq $((i + 1)) ]; then\n\t\t\tCOMPREPLY=($(compgen -W '", fp);
			for (int i = 0; i < d->nsub; i++)
				if (shell_safe(d->sub[i].p, d->sub[i].n))
					fprintf(fp, "%s%.*s", i ? " " : "", d->sub[i].n, d->sub[i].p);
			fputs("' -- \"$cur\"))\n\t\t\treturn 0\n\t\tfi\n", fp);
		}
		if (d->commands)
			fputs("\t\tCOMPREPLY=($(compgen -W \"$commands\" -- \"$cur\"))\n", fp);
		else if (d->files)
			fputs("\t\tcompopt -o filenames 2>/dev/null\n\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n", fp);
		fputs("\t\t;;\n", fp);
	}
	fputs("\tesac\n"
	      "\treturn 0\n"
	      "}\n"
	      "complete -F _kyokun kyokun\n", fp);
	free(d);
}

/* An option's description for zsh's _arguments: [] and : left out. */
static void put_zsh_desc(FILE *fp, struct span s)
{
	for (int i = 0; i < s.n; i++) {
		char ch = s.p[i];

		if (ch == '[' || ch == '(')
			ch = '(';
		else if (ch == ']' || ch == ')')
			ch = ')';
		if (ch == ':' || ch == '\\' || ch == '`' || ch == '$')
			ch = ' ';
		if (ch == '\'')
			fputs("'\\''", fp);
		else
			fputc(ch, fp);
	}
}

static void zsh_script(FILE *fp)
{
	struct doc_cmd *d = malloc(sizeof(*d));

	if (!d)
		return;
	fputs("#compdef kyokun\n"
	      "# zsh completion for kyokun - made by `kyokun help --completion zsh`\n"
	      "# from the command table (src/cli.c); do not edit.\n"
	      "\n"
	      "_kyokun() {\n"
	      "\tlocal curcontext=\"$curcontext\" state line ret=1\n"
	      "\tlocal -a commands\n"
	      "\tcommands=(\n", fp);
	for (const struct kcommand *c = kcommands; c->name; c++) {
		if (!shell_safe(c->name, (int)strlen(c->name)))
			continue;
		fprintf(fp, "\t\t'%s:", c->name);
		put_sq(fp, c->summary, (int)strlen(c->summary));
		fputs("'\n", fp);
	}
	fputs("\t)\n"
	      "\t_arguments -C \\\n"
	      "\t\t'--db[the database]:database file:_files' \\\n"
	      "\t\t'--as[read as that user would]:login: ' \\\n"
	      "\t\t'(- *)--version[print the version]' \\\n"
	      "\t\t'(- *)'{-h,--help}'[list the commands]' \\\n"
	      "\t\t'1:command:->command' \\\n"
	      "\t\t'*::argument:->argument' && ret=0\n"
	      "\tcase $state in\n"
	      "\tcommand)\n"
	      "\t\t_describe -t commands 'kyokun command' commands && ret=0\n"
	      "\t\t;;\n"
	      "\targument)\n"
	      "\t\tcase $words[1] in\n", fp);
	for (const struct kcommand *c = kcommands; c->name; c++) {
		if (!shell_safe(c->name, (int)strlen(c->name)))
			continue;
		doc_cmd_read(c, d);
		fprintf(fp, "\t\t%s)\n\t\t\t_arguments \\\n", c->name);
		for (int i = 0; i < d->nopt; i++) {
			struct doc_opt *o = &d->opt[i];

			if (!shell_safe(o->name.p, o->name.n))
				continue;
			fprintf(fp, "\t\t\t\t'*%.*s[", o->name.n, o->name.p);
			put_zsh_desc(fp, o->help);
			fputs("]", fp);
			if (is_choice(o->arg)) {
				fputs(":value:(", fp);
				put_choices(fp, o->arg);
				fputs(")", fp);
			} else if (is_file_arg(o->arg)) {
				fputs(":file:_files", fp);
			} else if (o->arg.n) {
				fputs(":", fp);
				for (int k = 0; k < o->arg.n; k++)
					fputc(o->arg.p[k] == ':' ? ' ' : tolower((unsigned char)o->arg.p[k]), fp);
				fputs(": ", fp);
			}
			fputs("' \\\n", fp);
		}
		fputs("\t\t\t\t'(- *)--help[print this command'\\''s help]'", fp);
		if (d->nsub) {
			fputs(" \\\n\t\t\t\t'1:subcommand:(", fp);
			for (int i = 0; i < d->nsub; i++)
				if (shell_safe(d->sub[i].p, d->sub[i].n))
					fprintf(fp, "%s%.*s", i ? " " : "", d->sub[i].n, d->sub[i].p);
			fputs(")'", fp);
		}
		if (d->commands)
			fputs(" \\\n\t\t\t\t'1:command:->command'", fp);
		else if (d->files)
			fputs(" \\\n\t\t\t\t'*:file:_files'", fp);
		fputs(" && ret=0\n", fp);
		if (d->commands)
			fputs("\t\t\t[[ $state == command ]] && _describe -t commands 'kyokun command' commands && ret=0\n",
			      fp);
		fputs("\t\t\t;;\n", fp);
	}
	fputs("\t\tesac\n"
	      "\t\t;;\n"
	      "\tesac\n"
	      "\treturn ret\n"
	      "}\n"
	      "\n"
	      "_kyokun \"$@\"\n", fp);
	free(d);
}

int kcli_doc_completion(FILE *fp, const char *shell)
{
	if (!strcmp(shell, "bash"))
		bash_script(fp);
	else if (!strcmp(shell, "zsh"))
		zsh_script(fp);
	else
		return -1;
	return 0;
}
