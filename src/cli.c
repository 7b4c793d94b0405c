/*
 * cli.c - the subcommand table and what the commands share: running a
 * command with the store it needs, usage messages, the option values several
 * commands take, progress lines, terminal column widths.
 */
#include "cli.h"
#include "account.h"
#include "case.h"
#include "kerr.h"
#include "store.h"
#include "store_account.h"
#include "utf8.h"

#include <errno.h>
#include <jansson.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <termios.h>
#include <stdio.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

/*
 * The commands: name, function, what it needs of the store (kcli_run()
 * opens it), summary, usage.  serve opens the database read-write once (to
 * create or migrate it) and its workers open their own read-only
 * connections.
 */
const struct kcommand kcommands[] = {
	{ "init", cmd_init, KCLI_WRITE,
	  "create the database (or migrate it to this version)",
	  "usage: kyokun init\n"
	  "\n"
	  "Create the database named by --db (default ./kyokun.db, or $KYOKUN_DB),\n"
	  "or bring an existing one to this version's schema.\n" },
	{ "add", cmd_add, KCLI_WRITE,
	  "add or update cases from interchange JSON files",
	  "usage: kyokun add [--format FORMAT] [--tlp LEVEL] [--quiet] FILE...\n"
	  "\n"
	  "Read cases in the interchange format (a {\"format\":\"kyokun-case/1\",\"cases\":[...]}\n"
	  "collection, an array of cases, or JSON Lines with one case per line; FILE \"-\"\n"
	  "is standard input) and store them.  A case whose id is already stored replaces\n"
	  "it; the previous version stays in its history.\n"
	  "\n"
	  "Files of the exchange formats are read too: a STIX 2.1 bundle (stix), MISP\n"
	  "events (misp) or VERIS incidents (veris), their vocabularies mapped through\n"
	  "the crosswalk (data/crosswalk.tsv, or $KYOKUN_CROSSWALK).  Without --format a\n"
	  "file's start tells which it is; standard input is read as kyokun's own JSON.\n"
	  "\n"
	  "Each file is one transaction: if any case in a file is refused, none of that\n"
	  "file's cases is stored, and the other files still load.  A file of 32 MB or\n"
	  "more is written with a rollback journal when no other process has the database\n"
	  "open (much faster); a process that opens it meanwhile waits for the end.\n"
	  "\n"
	  "  --format F    json (kyokun's own: a collection, an array or JSON Lines),\n"
	  "                stix, misp or veris (default: told by the file's start)\n"
	  "  --tlp LEVEL   sharing level for cases that carry none (default amber;\n"
	  "                clear, green, amber, amber+strict, red)\n"
	  "  --quiet       no progress line (on a terminal, a large file shows the cases\n"
	  "                stored, the share of the file read, the rate and the time left)\n"
	  "\n"
	  "Exit status: 0 all files stored, 1 some file refused, 2 usage error.\n" },
	{ "import", cmd_import, KCLI_WRITE,
	  "import published reports (text or PDF) as cases",
	  "usage: kyokun import [--dry-run] [--explain] [--quiet] [--title T] [--url U]\n"
	  "                     [--published YYYY-MM-DD] [--publisher P] FILE...\n"
	  "\n"
	  "Read published incident-case reports - the text pdftotext gives, or the PDF\n"
	  "itself - split each into cases (title, number, category, overview, key\n"
	  "lessons, the body sections, the timeline), classify them (event class,\n"
	  "threats, sectors), and store them as TLP:CLEAR.  Ids come from the file name\n"
	  "and the case number, so importing the same report again updates its cases\n"
	  "instead of duplicating them.\n"
	  "\n"
	  "Each file is one transaction; a file in which no case can be found, an empty,\n"
	  "binary, encrypted or damaged file is refused with a message, and the other\n"
	  "files still load.  After each file, what was found is printed on stderr.\n"
	  "FILE \"-\" reads a report's text from standard input (ids \"stdin-N\"); other\n"
	  "files must be regular files.  A text of more than 100,000 lines is refused.\n"
	  "\n"
	  "  --dry-run   print the cases as interchange JSON and store nothing\n"
	  "  --explain   also list the lines that could not be placed, and why\n"
	  "  --quiet     no progress line (on a terminal, importing several files shows\n"
	  "              the files done, the rate and the time left)\n"
	  "  --title T   the report's own title (else the PDF's metadata or its first page)\n"
	  "  --url U     where the report is published (http:// or https://)\n"
	  "  --published YYYY-MM-DD  its publication date (or YYYY-MM, YYYY)\n"
	  "  --publisher P  who published it (else its first page)\n"
	  "              What a document is cited by is kept for a later import of the\n"
	  "              same file unless new values are given; each case also gets\n"
	  "              source.page, the page it starts on (PDF pages, form feeds).\n"
	  "\n"
	  "Exit status: 0 all files imported, 1 some file refused, 2 usage error.\n" },
	{ "list", cmd_list, KCLI_READ,
	  "list the cases in the library",
	  "usage: kyokun list [--format table|tsv|json] [--document NAME] [--year N]\n"
	  "                   [--category TEXT] [--tag VALUE] [--tlp LEVEL]\n"
	  "\n"
	  "List stored cases by document and case number.  On a terminal the default is\n"
	  "an aligned table, in a pipe tab-separated lines (id, document, number, year,\n"
	  "tlp, title); --format json prints {\"total\":N,\"cases\":[...]} with each case's\n"
	  "id, title, source, category, tlp, revision, created and updated.\n"
	  "\n"
	  "  --document NAME  only cases from this document (file name)\n"
	  "  --year N         only cases of this survey year\n"
	  "  --category TEXT  only cases listed under this category\n"
	  "  --tag VALUE      only cases with this tag (threat, sector or event class)\n"
	  "  --tlp LEVEL      only cases with this sharing level\n" },
	{ "show", cmd_show, KCLI_READ,
	  "show cases",
	  "usage: kyokun show [--format text|md|json|pdf] ID...\n"
	  "\n"
	  "Print the case in the order the published reports use: title, source,\n"
	  "overview, key lessons, the sections (背景, 検知, 対処, 原因, 再発防止策,\n"
	  "得られた気付き・教訓, ...), the timeline and tags.  --format md prints Markdown,\n"
	  "--format json the interchange JSON of the case, --format pdf an A4 PDF with\n"
	  "the case's id, source, today's date and, unless TLP:CLEAR, its TLP label on\n"
	  "every page (redirect it to a file; it needs pango and cairo).\n"
	  "\n"
	  "Several IDs show each case in turn (a blank line between them; JSON: one\n"
	  "object after another; pdf: one case only).  A case that is not there, or\n"
	  "that you may not see, is said on standard error and the others are still\n"
	  "shown; the exit status is then 1.\n" },
	{ "export", cmd_export, KCLI_READ,
	  "write cases as interchange JSON",
	  "usage: kyokun export [--format json|jsonl|stix|misp|veris] [--document NAME]\n"
	  "                     [--year N] [--publisher NAME]\n"
	  "\n"
	  "Write stored cases to standard output: a kyokun-case/1 collection (json, the\n"
	  "default) or one case per line (jsonl).  `kyokun add` reads both back.\n"
	  "\n"
	  "The exchange formats: stix (a STIX 2.1 bundle), misp (MISP events), veris\n"
	  "(VERIS 1.4 incidents), their vocabularies mapped through the crosswalk\n"
	  "(data/crosswalk.tsv, or $KYOKUN_CROSSWALK).  The output is the same for the same\n"
	  "cases (ids derive from the case ids); `kyokun add` reads these formats back.\n"
	  "With --as, only the cases that reader may see are written.\n"
	  "\n"
	  "  --publisher NAME   who publishes the export: the STIX identity every object\n"
	  "                     is created by, and the MISP Orgc of a case without a\n"
	  "                     source publisher (default kyokun)\n" },
	{ "taxonomy", cmd_taxonomy, KCLI_NO_STORE,
	  "write kyokun's vocabularies as a MISP taxonomy",
	  "usage: kyokun taxonomy [--format misp] [--namespace NAME]\n"
	  "\n"
	  "Write a MISP taxonomy (machinetag.json) of kyokun's vocabularies to standard\n"
	  "output: the predicates sector (the 15 critical infrastructure sectors),\n"
	  "event-type (事象の類型) and cause-type (原因の類型), each value with its Japanese\n"
	  "and English names, from the crosswalk (data/crosswalk.tsv, or\n"
	  "$KYOKUN_CROSSWALK).  Load it into MISP to tag events kyokun:sector=\"gas\";\n"
	  "`kyokun add --format misp` reads those tags back.  The output is the same for\n"
	  "the same crosswalk (fixed version, UUIDv5 ids).\n"
	  "\n"
	  "  --namespace NAME   the taxonomy's namespace (default kyokun; a-z 0-9 - _ .)\n" },
	{ "history", cmd_history, KCLI_READ,
	  "list the revisions of cases",
	  "usage: kyokun history [--format text|json] [--show N] ID...\n"
	  "\n"
	  "List the stored versions of a case, newest first.  --show N prints the JSON of\n"
	  "revision N (of one case).  Several IDs list each case's in turn, under a line\n"
	  "\"== ID\" (JSON: one object each); a case that is not there, or that you may\n"
	  "not see, is said on standard error and the exit status is 1.\n" },
	{ "delete", cmd_delete, KCLI_WRITE,
	  "delete a case and its history",
	  "usage: kyokun delete ID...\n"
	  "\n"
	  "Delete cases and their revisions.  Exit status 1 if some id was not found.\n" },
	{ "search", cmd_search, KCLI_READ,
	  "full-text search of the cases, with facets",
	  "usage: kyokun search [--format text|json] [--limit N] [--offset N]\n"
	  "                     [--sort relevance|year] [--filter KEY=VALUE]...\n"
	  "                     [--max-tlp LEVEL] QUERY...\n"
	  "\n"
	  "Search every text field of the cases (title, summary, key lessons, sections,\n"
	  "timeline), best first: a match in the title or summary counts more than one in\n"
	  "the body.  The QUERY words are joined with spaces:\n"
	  "\n"
	  "  word word       cases with all the words\n"
	  "  \"a phrase\"      the words in this order\n"
	  "  -word           without this word\n"
	  "  a OR b          either word (binds tighter than the implicit AND)\n"
	  "  ( ... )         grouping\n"
	  "\n"
	  "Japanese needs no spaces: 訓練 finds 訓練, a single kanji finds every word with\n"
	  "it, and a word typed without spaces (待機系への切替) also finds cases that say\n"
	  "its parts apart (予備系に切り替えた); the exact wording ranks first.  Full- and\n"
	  "half-width forms, upper and lower case, サーバ/サーバー and ウイルス/ウィルス are the\n"
	  "same.  Synonyms come from data/synonyms.txt (or $KYOKUN_SYNONYMS).\n"
	  "\n"
	  "  --format F        text (default on a terminal) or json (default otherwise):\n"
	  "                    {\"query\",\"total\",\"results\":[{\"id\",\"title\",\"source\",\n"
	  "                    \"category\",\"score\",\"snippet\",\"highlights\"}],\"facets\":{...}}\n"
	  "  --limit N         show N results (default 10, at most 1000)\n"
	  "  --offset N        skip the first N results\n"
	  "  --filter K=V      only cases with this value; K is category, document, year,\n"
	  "                    event_class, threat, sector, reader_level or tlp (repeatable,\n"
	  "                    one value per key); year=2020..2023 is a range (also\n"
	  "                    2020.. and ..2023); year, event_class, threat or sector\n"
	  "                    =none: the cases without one (未分類, \"none\" in the facets)\n"
	  "  --sort S          relevance (default: best first) or year (newest first,\n"
	  "                    the best first within a year)\n"
	  "  --max-tlp LEVEL   show only cases at or below this sharing level\n"
	  "\n"
	  "Put -- before query words that start with --.\n"
	  "Exit status: 0 (also when nothing matches), 1 error, 2 bad usage or query.\n" },
	{ "similar", cmd_similar, KCLI_READ,
	  "cases most like a case or a text",
	  "usage: kyokun similar [--format text|json] [--limit N] [--filter K=V]...\n"
	  "                      [--max-tlp LEVEL] ID\n"
	  "       kyokun similar [--format text|json] [--limit N] [--max-tlp LEVEL] --text TEXT\n"
	  "\n"
	  "Rank other cases by how much of the case's (or the text's) distinctive\n"
	  "vocabulary they share: the terms frequent in it and rare in the library\n"
	  "(tf-idf over the index).  Each result lists its \"shared_terms\"; the JSON\n"
	  "result also has the \"terms\" used.  --text - reads the text from standard\n"
	  "input.  --filter and --max-tlp work as for search.\n"
	  "\n"
	  "Exit status: 0, 1 error (e.g. no such case), 2 bad usage.\n" },
	{ "serve", cmd_serve, KCLI_WRITE,
	  "serve the web application and JSON API",
	  "usage: kyokun serve [--config FILE | --no-config] [--listen ADDR:PORT] [--threads N]\n"
	  "                    [--access-log FILE] [--no-cache] [--cache-size MB]\n"
	  "                    [--max-per-ip N] [--tls-cert FILE --tls-key FILE] [--behind-proxy]\n"
	  "                    [--session-idle MINUTES] [--session-max HOURS]\n"
	  "\n"
	  "Serve the library over HTTP from the database: search, the cases as the\n"
	  "reports present them, the reports, revision histories, and a JSON API under\n"
	  "/api/ (described by /api/openapi.json).  Pages are Japanese by default and\n"
	  "English with ?lang=en or an English Accept-Language.  Prints the address it\n"
	  "listens on; SIGINT (Ctrl-C) or SIGTERM stops it cleanly.\n"
	  "\n"
	  "Anonymous readers see TLP:CLEAR cases only.  Users sign in at /signin (a\n"
	  "session cookie, HttpOnly, SameSite=Strict, Secure over TLS) and scripts send\n"
	  "\"Authorization: Bearer TOKEN\" (kyokun token create); each sees what TLP lets\n"
	  "them see, and a case they may not see is left out of every list, search,\n"
	  "count and similar-case list, and its address answers 404.  Failed sign-ins\n"
	  "are throttled per login and per client address.  Other commands may write to\n"
	  "the database while it serves (the database is in WAL mode); a user disabled\n"
	  "or a token revoked stops working at once.\n"
	  "\n"
	  "For operations: GET /healthz answers 200 {\"status\":\"ok\",\"schema\":N,\"cases\":N}\n"
	  "when the database answers (cases: those anyone may see), else 503; GET\n"
	  "/metrics gives counters in the Prometheus text format (requests by route and\n"
	  "status, latency, response cache, connections, sign-ins, cases by TLP) to a\n"
	  "client on this machine or a signed-in admin, and is 404 to anyone else (a\n"
	  "remote client behind --behind-proxy included).\n"
	  "\n"
	  "  --config FILE       read the settings from FILE (by default\n"
	  "                      /etc/kyokun/kyokun.conf, when it exists): \"key = value\"\n"
	  "                      lines with the long options below and db (see 'kyokun\n"
	  "                      help config'); the command line (and --db) wins\n"
	  "  --no-config         read no configuration file\n"
	  "  --listen ADDR:PORT  where to listen (default 127.0.0.1:8080); an IPv4 address,\n"
	  "                      [IPv6]:PORT, localhost:PORT, or just PORT for 127.0.0.1;\n"
	  "                      port 0 picks a free port (see the address printed)\n"
	  "  --threads N         worker threads, each with its own database connection\n"
	  "                      (default: one per CPU core)\n"
	  "  --access-log FILE   log one JSON object per request (time, client, method,\n"
	  "                      route, path, status, bytes, ms, user) to FILE, appended;\n"
	  "                      - for standard error; SIGHUP reopens FILE (logrotate)\n"
	  "  --no-cache          build every response anew (by default each worker keeps\n"
	  "                      the pages it built until the database changes)\n"
	  "  --cache-size MB     the response cache holds at most MB MiB of pages\n"
	  "                      (default 64; pages over 256 KiB are never kept)\n"
	  "  --max-per-ip N      open connections from one client address (default 64)\n"
	  "  --tls-cert FILE     serve HTTPS with this PEM certificate (chain) ...\n"
	  "  --tls-key FILE      ... and this unencrypted PEM private key\n"
	  "  --behind-proxy      a TLS proxy on this machine forwards to kyokun: from\n"
	  "                      loopback peers only, believe X-Forwarded-Proto (https\n"
	  "                      makes the cookie Secure), X-Forwarded-For (the client's\n"
	  "                      address, for throttling and the audit log) and\n"
	  "                      X-Forwarded-Host\n"
	  "  --session-idle MINUTES  a session ends after this long unused (default 120)\n"
	  "  --session-max HOURS     and this long after sign-in whatever (default 12);\n"
	  "                      both also take Ns, Nm or Nh\n"
	  "\n"
	  "Limits: URLs up to 8 KiB (else 414) with up to 64 query parameters (400),\n"
	  "request headers up to 16 KiB (431), no request bodies beyond 64 KiB (256 KiB\n"
	  "for JSON to the API) (413, before the body is read); GET and HEAD, and POST\n"
	  "where a form or JSON is sent (405; a form is application/x-www-form-urlencoded,\n"
	  "JSON application/json under /api/ only, else 415; a form's fields and the\n"
	  "query's, 64 at most).  A request must be in within 10 s of its connection\n"
	  "being ready for it (an idle keep-alive connection is closed after 10 s);\n"
	  "4096 connections at most.\n"
	  "\n"
	  "Exit status: 0 after a signal, 1 if the database or the address cannot be\n"
	  "used, 2 usage error.\n" },
	{ "check", cmd_check, KCLI_READ, "check the database for damage",
	  "usage: kyokun check [--quick]\n\nCheck every page, index and constraint of the database and the full-text index\nagainst the cases' text, then recount what is derived from the cases (the\nvocabulary of similar cases, the facet counts, where each section begins in\nthe index); print \"ok\" or each problem found.  --quick checks the pages\nonly (much faster).\n\nExit status: 0 ok, 1 problems found (restore from a backup) or error, 2 usage.\n" },
	{ "org", cmd_org, KCLI_WRITE,
	  "add and list organisations (operators, ministries, the centre)",
	  "usage: kyokun org add NAME [--kind KIND] [--sector SECTOR]...\n"
	  "       kyokun org list [--format table|tsv|json]\n"
	  "\n"
	  "Organisations are what users belong to and what owns cases.\n"
	  "\n"
	  "org add NAME   add an organisation (a name of up to 100 characters, unique)\n"
	  "  --kind KIND      operator (the default: 事業者), ministry (所管省庁), centre\n"
	  "                   (the national centre), or other\n"
	  "  --sector SECTOR  a sector it belongs to or (a ministry) is responsible for,\n"
	  "                   repeatable: telecom, finance, aviation, airport, railway,\n"
	  "                   electricity, gas, government, medical, water, logistics,\n"
	  "                   chemical, credit, petroleum, port, or the Japanese name\n"
	  "                   (情報通信, 金融, 航空, 空港, 鉄道, 電力, ガス, 政府・行政サービス,\n"
	  "                   医療, 水道, 物流, 化学, クレジット, 石油, 港湾).  A liaison sees\n"
	  "                   the amber cases of their ministry's sectors.\n"
	  "\n"
	  "org list       the organisations by name: name, kind, sectors, created (on a\n"
	  "               terminal a table, else tab-separated; --format json)\n"
	  "\n"
	  "Every change is written to the audit log (kyokun audit).\n"
	  "Exit status: 0 ok, 1 refused (the name exists, ...), 2 usage error.\n" },
	{ "user", cmd_user, KCLI_WRITE,
	  "add and manage user accounts",
	  "usage: kyokun user add LOGIN --role ROLE [--org NAME] [--name DISPLAY] [--email ADDRESS]\n"
	  "                       [--password-file FILE | --no-password]\n"
	  "       kyokun user list [--format table|tsv|json]\n"
	  "       kyokun user passwd LOGIN [--password-file FILE]\n"
	  "       kyokun user role LOGIN ROLE\n"
	  "       kyokun user disable LOGIN\n"
	  "       kyokun user enable LOGIN\n"
	  "       kyokun user set LOGIN [--name DISPLAY] [--email ADDRESS] [--org NAME | --no-org]\n"
	  "\n"
	  "LOGIN: 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit.\n"
	  "ROLE: reporter (files incident reports for an operator: needs --org, an\n"
	  "operator), liaison (a ministry's staff: needs --org, a ministry with\n"
	  "sectors), analyst, publisher (the centre's staff), or admin (runs accounts\n"
	  "and reads the audit log; sees no amber or red cases).\n"
	  "\n"
	  "Passwords: at least 12 characters, not a common password or one made of the\n"
	  "login; stored as argon2id hashes.  Read from the first line of\n"
	  "--password-file FILE; else, on a terminal, typed twice without echo; else one\n"
	  "line of standard input (for scripts).  --no-password: the account cannot sign\n"
	  "in with a password (API tokens only).\n"
	  "\n"
	  "user add       add a user\n"
	  "user list      the users by login: login, role, organisation, status, name,\n"
	  "               e-mail, created\n"
	  "user passwd    set a new password (the user's sessions end)\n"
	  "user role      change the role\n"
	  "user disable   the user can no longer sign in; sessions end, tokens stop working\n"
	  "user enable    undo disable\n"
	  "user set       change the display name, e-mail address or organisation\n"
	  "\n"
	  "Every change is written to the audit log (kyokun audit).\n"
	  "Exit status: 0 ok, 1 refused (login taken, weak password, no such user or\n"
	  "organisation, ...), 2 usage error (e.g. an unknown role).\n" },
	{ "token", cmd_token, KCLI_WRITE,
	  "create, list and revoke API tokens",
	  "usage: kyokun token create LOGIN [--name NAME] [--expires DAYS]\n"
	  "       kyokun token list [LOGIN] [--format table|tsv|json]\n"
	  "       kyokun token revoke ID\n"
	  "\n"
	  "An API token lets a script use the JSON API as the user, with the user's\n"
	  "rights: send it as \"Authorization: Bearer TOKEN\".\n"
	  "\n"
	  "token create   make a token for LOGIN and print it alone on the last line of\n"
	  "               standard output (notes go to standard error).  It is shown\n"
	  "               this once: only its SHA-256 hash is stored.\n"
	  "  --name NAME      what it is for (shown in lists)\n"
	  "  --expires DAYS   it stops working after DAYS days (1 to 3650; default: never)\n"
	  "token list     the tokens (of LOGIN, or everyone's): id, login, name, prefix,\n"
	  "               created, expires, last used, revoked\n"
	  "token revoke   stop token ID from working (IDs are in the list)\n"
	  "\n"
	  "Creating and revoking are written to the audit log (kyokun audit).\n"
	  "Exit status: 0 ok, 1 refused (no such user or token), 2 usage error.\n" },
	{ "audit", cmd_audit, KCLI_READ,
	  "show the audit log",
	  "usage: kyokun audit [--since TIME] [--user ACTOR] [--limit N] [--format text|json]\n"
	  "\n"
	  "Print the audit log, oldest first: every write to cases, organisations, users\n"
	  "and tokens, and the web's sign-ins, failed sign-ins and sign-outs, with who\n"
	  "did it (a login, or local:NAME for the command line run by NAME), from where\n"
	  "(a client address, or cli), what, and to which object.  Nothing can change\n"
	  "or remove its entries.\n"
	  "\n"
	  "  --since TIME    entries from TIME on: a date (2026-12-03), a UTC time\n"
	  "                  (2026-12-03T20:56:12Z), or an age (30m, 24h, 7d, 2w)\n"
	  "  --user ACTOR    only the entries of this actor (a login, or local:NAME)\n"
	  "  --limit N       only the newest N entries, newest first\n"
	  "  --format F      text (tab-separated: time, actor, address, action, object,\n"
	  "                  detail) or json ({\"entries\":[...]})\n" },
	{ "config", cmd_config, KCLI_NO_STORE,
	  "check serve's configuration file",
	  "usage: kyokun config check [--config FILE]\n"
	  "\n"
	  "Read serve's configuration file (FILE, or /etc/kyokun/kyokun.conf when it\n"
	  "exists) as serve would, print each setting with where it comes from (the\n"
	  "file and line, --db or $KYOKUN_DB, or the default), then each problem with\n"
	  "the file and line (an unknown key, a bad value, a key set twice, a TLS file\n"
	  "that cannot be read) and \"ok\" or the number of problems.\n"
	  "\n"
	  "The file has one setting a line, \"key = value\"; lines starting with # are\n"
	  "comments.  The keys are serve's long options: listen, db, tls-cert, tls-key,\n"
	  "threads, max-per-ip, behind-proxy, access-log, no-cache, session-idle and\n"
	  "session-max (yes/no for the switches; access-log names a file, or - for\n"
	  "standard error).  Options on serve's command line win\n"
	  "over the file.  A file anyone may write to, or owned by another user than\n"
	  "root or the one running kyokun, is refused.\n"
	  "\n"
	  "Exit status: 0 ok, 1 problems found or the file refused, 2 usage error.\n" },
	{ "backup", cmd_backup, KCLI_READ,
	  "copy the database to a file, safely while it is in use",
	  "usage: kyokun backup [--force] [--quiet] FILE\n"
	  "\n"
	  "Write a consistent copy of the database to FILE while `kyokun serve` and other\n"
	  "commands go on reading and writing it: the copy is the database as it was at\n"
	  "one moment (SQLite's online backup of one snapshot; writers are not held up).\n"
	  "It is written beside FILE (FILE.tmp-XXXXXX), checked as `kyokun check` would\n"
	  "check it, written to disk, and only then renamed to FILE, so FILE is either\n"
	  "absent or a whole, sound database.  The copy is one self-contained file; any\n"
	  "kyokun command reads it with --db FILE, and `kyokun restore FILE` puts it back.\n"
	  "A new FILE is readable by its owner only (it holds the accounts' password\n"
	  "hashes).\n"
	  "On a terminal a progress line shows the pages copied.  The backup opens the\n"
	  "database read-only and is not written to its audit log.\n"
	  "\n"
	  "  --force   replace FILE if it exists (by default an existing FILE is refused)\n"
	  "  --quiet   no progress line\n"
	  "\n"
	  "For a nightly backup, see contrib/kyokun-backup.service and .timer.\n"
	  "Exit status: 0 written, 1 refused or failed (FILE is left as it was), 2 usage\n"
	  "error.\n" },
	{ "restore", cmd_restore, KCLI_NO_STORE,
	  "replace the database with a backup, after checking it",
	  "usage: kyokun restore [--quiet] FILE\n"
	  "\n"
	  "Replace the database (--db) with the backup FILE.  FILE is checked first and\n"
	  "nothing is replaced if it fails: it must be a kyokun database whose schema is\n"
	  "not newer than this kyokun's, and a copy of it must pass `kyokun check` (a copy\n"
	  "of an older schema is brought to this version first).  The checked copy is\n"
	  "made in the database's folder, written to disk and renamed over the database\n"
	  "in one step, keeping the database file's owner and mode.\n"
	  "\n"
	  "Stop `kyokun serve` first: restore refuses while any other process has the\n"
	  "database open (a server would go on using the replaced file).  What was in the\n"
	  "database is gone, its audit log with it: the restored database keeps its own\n"
	  "log.  Prints the cases restored and the schema version.\n"
	  "\n"
	  "  --quiet   no progress line\n"
	  "\n"
	  "Exit status: 0 restored, 1 refused (the database is untouched), 2 usage error.\n" },
	{ "report", cmd_report, KCLI_WRITE,
	  "file and follow incident reports (第一報, 続報, 最終報)",
	  "usage: kyokun report add FILE|- [--format id|json]\n"
	  "       kyokun report list [--status STATUS]... [--sector SECTOR]\n"
	  "                          [--event-type TYPE]... [--org NAME] [--since TIME]\n"
	  "                          [--until TIME] [--candidate] [--overdue]\n"
	  "                          [--text WORDS] [--limit N]\n"
	  "                          [--format table|tsv|json|csv]\n"
	  "       kyokun report show ID [--format text|json]\n"
	  "       kyokun report update ID FILE|- [--format id|json]\n"
	  "       kyokun report status ID STATUS [--note TEXT]\n"
	  "       kyokun report candidate ID on|off\n"
	  "       kyokun report draft ID\n"
	  "       kyokun report deadlines [--followup HOURS] [--final HOURS]\n"
	  "                               [--format tsv|json]\n"
	  "\n"
	  "An incident holds its reports in order: the first report (第一報), follow-ups\n"
	  "(続報) and the final report (最終報), each dated and signed, never edited (a\n"
	  "correction is another follow-up).  Reports are JSON as\n"
	  "../shared/spec/report-json.md says, read from FILE or standard input (-).  The\n"
	  "command line acts as the centre (like an analyst: a first report names its\n"
	  "\"organization\"); with the global --as LOGIN it acts as that user, with their\n"
	  "role's rights (a reporter files for their own organisation and sees only its\n"
	  "incidents; an incident they may not see is \"not found\").\n"
	  "\n"
	  "report add     file a first report: prints the new incident's id (IR-2026-0001)\n"
	  "               alone on standard output, or its JSON with --format json; a bad\n"
	  "               field is named (\"contact.email: ...\") and nothing is stored\n"
	  "report list    the incidents, newest first: id, status, overdue marks\n"
	  "               (followup, final), sector, organisation, title, detected, due\n"
	  "  --status STATUS   received, checking, responding, closed, withdrawn (or\n"
	  "                    受付, 確認中, 対応中, 完了, 取下げ); repeatable\n"
	  "  --sector SECTOR   a sector tag (electricity) or name (電力)\n"
	  "  --event-type TYPE  precursor, confidentiality, integrity, availability,\n"
	  "                    malware, malicious_code, intrusion, other; repeatable\n"
	  "  --org NAME        the reporting organisation\n"
	  "  --since TIME      detected at or after TIME (2026-11-20T09:00:00+09:00,\n"
	  "                    2026-11-20, or an age: 24h, 7d) ...\n"
	  "  --until TIME      ... and before TIME\n"
	  "  --candidate       only case-study candidates (事例候補)\n"
	  "  --overdue         only incidents past a deadline now\n"
	  "  --text WORDS      words in the title or any report\n"
	  "  --limit N         at most N incidents\n"
	  "  --format F        table (on a terminal), tsv, csv (with a header line) or\n"
	  "                    json ({\"total\":N,\"incidents\":[...]})\n"
	  "report show    the incident, its reports in order and its status history\n"
	  "               (--format json: {\"incident\":{...},\"reports\":[...],\n"
	  "               \"history\":[...]})\n"
	  "report update  file a follow-up ({\"kind\":\"followup\",...}) or the final report\n"
	  "               ({\"kind\":\"final\",...}, with cause and countermeasures):\n"
	  "               prints its number\n"
	  "report status  move the incident to STATUS (by name or Japanese label) as the\n"
	  "               workflow allows: 受付 -> 確認中 -> 対応中 -> 完了, 取下げ, and\n"
	  "               完了 -> 対応中 to reopen; the centre's staff only\n"
	  "  --note TEXT       why, kept in the status history\n"
	  "report candidate  mark (on) or unmark (off) a case-study candidate (事例候補)\n"
	  "report draft   make a case draft from the incident and its reports: prints the\n"
	  "               draft's id (see 'kyokun draft')\n"
	  "report deadlines  show the deadlines new incidents get, or set them (the\n"
	  "               centre's staff): hours after the first report\n"
	  "  --followup HOURS  a follow-up (or the final report) is due (default 72)\n"
	  "  --final HOURS     the final report is due (default 720, 30 days)\n"
	  "\n"
	  "Deadlines are judged at the current time, or at $KYOKUN_NOW when set (an\n"
	  "RFC 3339 time: for tests and demonstrations); a closed or withdrawn incident\n"
	  "is never overdue.  Every write is in the audit log (kyokun audit), as the\n"
	  "--as user's when given.\n"
	  "Exit status: 0 ok, 1 refused (a bad report, not allowed, not found), 2 usage\n"
	  "error.\n" },
	{ "draft", cmd_draft, KCLI_WRITE,
	  "list, show and publish case drafts",
	  "usage: kyokun draft list [--format table|tsv|json]\n"
	  "       kyokun draft show ID [--format text|json]\n"
	  "       kyokun draft publish ID [--override REASON]\n"
	  "\n"
	  "A case draft is a case not yet published, made from an incident by 'kyokun\n"
	  "report draft ID' and edited in the browser; drafts are seen by analysts,\n"
	  "publishers and the command line only, never by search.\n"
	  "\n"
	  "draft list     the drafts, most recently updated first: id, revision,\n"
	  "               incident, author, updated, title\n"
	  "draft show     one draft (--format json: the interchange JSON)\n"
	  "draft publish  make the draft a case (its next revision; its history kept),\n"
	  "               found by search as its TLP allows: the command line's, or with\n"
	  "               --as LOGIN a publisher's.  Refused, with every reason, while\n"
	  "               redaction findings are unresolved or, for a draft made from an\n"
	  "               incident, while its current revision is not approved by the\n"
	  "               reporting organisation (see 'kyokun approve')\n"
	  "\n"
	  "Options:\n"
	  "  --format FMT       list: table, tsv or json; show: text or json\n"
	  "  --override REASON  publish: publish anyway, for a publisher; the reason and\n"
	  "                     what it overrode go to the audit log\n"
	  "                     (case.publish.override)\n"
	  "\n"
	  "Exit status: 0 ok, 1 refused (no such draft, not allowed, the gate's reasons),\n"
	  "2 usage error.\n" },
	/* ---- issue 13 (h-select) ---- */
	{ "select", cmd_select, KCLI_WRITE,
	  "score the candidates of a survey period and propose a shortlist",
	  "usage: kyokun select --period P [--size N] [--cap-per-sector K] [--format text|json]\n"
	  "       kyokun select score --period P ID --criterion KEY --score 0-3 [--note TEXT]\n"
	  "       kyokun select score --period P ID --scores S1,S2,...,S8\n"
	  "       kyokun select decide --period P ID (--in|--out) --reason TEXT\n"
	  "       kyokun select decide --period P ID --clear\n"
	  "       kyokun select keep --period P [--size N] [--cap-per-sector K]\n"
	  "\n"
	  "The candidates of a survey period are the incidents marked 事例候補 and the\n"
	  "case drafts (an incident with a draft is its draft).  --period 2025 is 年度\n"
	  "2025, 2025-04-01 to 2026-03-31 JST; --period 2025-01-01..2025-12-31 is those\n"
	  "days (JST).  An incident belongs to the period of its detection time, a\n"
	  "draft to its incident's, else to when it was made.\n"
	  "\n"
	  "select         every candidate with its score and why it is in or out of the\n"
	  "               proposed shortlist: ranked by the total score (8 criteria, 0-3\n"
	  "               each, at most 24), at most --cap-per-sector cases of a sector\n"
	  "               (default 3), categories spread among totals within 1 point\n"
	  "               of each other; --size cases (default 10)\n"
	  "select score   score a candidate on one criterion (again: replaced), with a\n"
	  "               note; who and when are kept.  Criteria (KEY or 1-8):\n"
	  "                 damage      重要インフラサービス及びその周辺サービスへの実害の有無\n"
	  "                 severity    事案の重大さ・社会的影響（関心）の大きさ\n"
	  "                 recurrence  類似事例の発生状況や今後発生する可能性\n"
	  "                 novelty     攻撃手口や被害の目新しさ\n"
	  "                 trend       世の中のトレンド\n"
	  "                 spread      他分野への波及の可能性\n"
	  "                 lessons     得られる気付き・教訓の有用性\n"
	  "                 response    事案の対応の優劣\n"
	  "select decide  an analyst's override: --in or --out with a --reason, which\n"
	  "               wins over the ranking and is shown as the reason; --clear\n"
	  "               removes it\n"
	  "select keep    store the shortlist with every candidate's reason; 'kyokun\n"
	  "               publish --period P' publishes the kept cases\n"
	  "\n"
	  "  --period P           the survey period (required)\n"
	  "  --size N             cases on the shortlist, 1-1000 (default 10)\n"
	  "  --cap-per-sector K   cases of one sector at most, >= 1 (default 3)\n"
	  "  --format text|json   the shortlist as text (default) or JSON\n"
	  "  --criterion KEY      the criterion scored\n"
	  "  --score N            0 to 3\n"
	  "  --note TEXT          why that score (UTF-8, at most 2,000 bytes)\n"
	  "  --scores LIST        all eight at once in the criteria's order, each 0-3, or -\n"
	  "                       to leave one as it is (\"3,2,2,1,-,0,3,2\"); one write\n"
	  "  --in, --out          put the candidate in or leave it out\n"
	  "  --clear              remove the override\n"
	  "  --reason TEXT        why (required with --in and --out)\n"
	  "\n"
	  "For the centre's analysts and publishers (and the command line); with --as\n"
	  "LOGIN as that user.  Every score, override and keep is in the audit log.  A\n"
	  "period without candidates is not an error: the list is empty (exit 0).\n"
	  "Exit status: 0 ok, 1 refused (not a candidate, a bad note or reason, not\n"
	  "allowed), 2 usage error (bad period, criterion, score, size or cap).\n" },
	/* ---- issue 13 (h-redact) ---- */
	{ "redact", cmd_redact, KCLI_WRITE,
	  "check a case for what could identify an organisation, and anonymise it",
	  "usage: kyokun redact --check ID [--name NAME]... [--format text|json]\n"
	  "       kyokun redact --apply ID [--name NAME]...\n"
	  "       kyokun redact --add-name ID NAME\n"
	  "       kyokun redact --dismiss ID --kind KIND --text TEXT --reason REASON\n"
	  "\n"
	  "Finds in a case or a case draft what could identify an organisation or a\n"
	  "person: the owner's name and the names given or stored, with their variants\n"
	  "(full- and half-width, 株式会社 / (株) / ㈱ / 社, spaces), personal names\n"
	  "(〇〇氏, 〇〇さん, 〇〇部長 ..., common family names), e-mail addresses, IPv4\n"
	  "and IPv6 addresses, domain names, URLs, Japanese telephone numbers and postal\n"
	  "addresses; and re-identification risks: an exact date with a place, a sector\n"
	  "with a precise number affected or an outage to the minute, a product with its\n"
	  "version, each with a suggestion.  Offsets are in code points of the field.\n"
	  "\n"
	  "  --check ID        list the findings (less those dismissed)\n"
	  "  --apply ID        replace every labelled finding (A社, B社 ..., 職員, 担当者,\n"
	  "                    [IPアドレス], [URL], [メールアドレス], [電話番号], [住所],\n"
	  "                    [ドメイン名]), the same text by the same label across the\n"
	  "                    case, as a new revision; prints what changed.  Re-\n"
	  "                    identification risks are left to the analyst\n"
	  "  --name NAME       another organisation's name to look for (repeatable)\n"
	  "  --add-name ID NAME  store NAME to be looked for in ID from now on\n"
	  "  --dismiss ID      keep a finding as it is (not identifying): every finding\n"
	  "                    of --kind KIND (name, person, email, ipv4, ipv6, domain,\n"
	  "                    url, phone, address, reid) with exactly --text TEXT;\n"
	  "                    --reason REASON is required and kept with who and when\n"
	  "  --kind KIND, --text TEXT, --reason REASON  what --dismiss keeps, and why\n"
	  "  --format text|json  --check's output (default text)\n"
	  "\n"
	  "With --as LOGIN the command reads as that user (the case must be one the user\n"
	  "may see) and writes as that user (an analyst or publisher).  Every write is in\n"
	  "the audit log (redact.apply, redact.name, redact.dismiss and the case's new\n"
	  "revision).\n"
	  "Exit status: 0 ok, 1 refused (no such case, not allowed, a bad value), 2 usage\n"
	  "error.\n" },
	/* ---- issue 13 (h-approve) ---- */
	{ "approve", cmd_approve, KCLI_WRITE,
	  "the reporting organisation's approval of an anonymised case",
	  "usage: kyokun approve --request ID [--comment NOTE]\n"
	  "       kyokun approve ID [--comment TEXT]\n"
	  "       kyokun approve --status ID [--format text|json]\n"
	  "\n"
	  "A case draft made from an incident belongs to the incident's reporting\n"
	  "organisation: it is published only once that organisation has approved its\n"
	  "current revision (or a publisher overrides: 'kyokun draft publish ID\n"
	  "--override REASON').  An analyst asks for the approval; the organisation's\n"
	  "reporters then see the anonymised draft, what changed since the version\n"
	  "they reported and the findings still open, at /drafts/ID/approval, and\n"
	  "approve it or comment.  An approval is of one revision: an edit after it\n"
	  "needs a new approval.  With the global --as LOGIN the command acts as that\n"
	  "user (an approval is always a user's of the organisation).\n"
	  "\n"
	  "Options:\n"
	  "  --request        ask the organisation to approve the current revision\n"
	  "                   (analysts, publishers, the command line)\n"
	  "  --comment TEXT   comment on the current revision instead of approving it\n"
	  "                   (with --request: a note to the organisation)\n"
	  "  --status         the organisation, the approvals and comments, and what\n"
	  "                   still stands in the way of publishing\n"
	  "  --format FMT     with --status: text or json\n"
	  "\n"
	  "Exit status: 0 ok, 1 refused (no such draft, not allowed, revision already\n"
	  "approved), 2 usage error.\n" },
	/* ---- issue 13 (h-publish) ---- */
	{ "publish", cmd_publish, KCLI_WRITE,
	  "write a published report: HTML, Markdown and PDF",
	  "usage: kyokun publish --out DIR (--period Y | --document NAME | --select ID,...)\n"
	  "                      [--title TITLE] [--tlp LEVEL] [--date YYYY-MM-DD] [--name NAME]\n"
	  "                      [--intro FILE] [--publisher ORG] [--force] [--no-store]\n"
	  "\n"
	  "Write the published report (報告書) of a set of cases into the folder DIR:\n"
	  "index.html (はじめに introduction, 事例一覧 the case list by category with each\n"
	  "case's overview and main lessons as a table, every case, 総括 the cross-case\n"
	  "lessons), cases/ID.html (a page per case), report.md (Markdown), report.pdf\n"
	  "and report.css.  The report is also kept in the database, so the web lists it\n"
	  "under 報告書 (/reports) for the readers its TLP allows.\n"
	  "\n"
	  "The cases (one of):\n"
	  "  --period Y        the cases selected for survey period Y ('kyokun select');\n"
	  "                    with no selection kept, the cases of year Y (said so)\n"
	  "  --document NAME   the cases of an imported document\n"
	  "  --select ID,...   these cases (a case draft is refused: publish it first)\n"
	  "Only cases the acting reader may see (--as LOGIN) are used.  They are ordered by\n"
	  "category, then case number, then id.\n"
	  "\n"
	  "Options:\n"
	  "  --out DIR         the folder to write; it must not exist or be empty\n"
	  "  --title TITLE     the report's title (default from the period or document)\n"
	  "  --tlp LEVEL       the report's marking (clear, green, amber, amber+strict,\n"
	  "                    red): a case more restrictive is refused, by name; default\n"
	  "                    the most restrictive of the cases' levels\n"
	  "  --date YYYY-MM-DD the publication date printed (default today)\n"
	  "  --name NAME       the report's short name in the database and its URL\n"
	  "                    /reports/NAME (letters, digits, . _ ~ -; default the\n"
	  "                    period, the document, or report-DATE)\n"
	  "  --intro FILE      the introduction as UTF-8 text instead of the generated one\n"
	  "                    (paragraphs separated by blank lines, lines starting with\n"
	  "                    ・ are bullets)\n"
	  "  --publisher ORG   who publishes the report, printed on it\n"
	  "  --force           replace an existing DIR and a stored report of the same name\n"
	  "  --no-store        write the folder only; keep nothing in the database\n"
	  "\n"
	  "The folder is written next to DIR under a temporary name and renamed at the\n"
	  "end: a failure leaves nothing behind, and --force swaps the old folder for\n"
	  "the new one at once.  Without PDF support in this build, report.pdf is left\n"
	  "out and a note says so.  Publishing is a publisher's (with --as LOGIN) or the\n"
	  "operator's; it is in the audit log (report.publish).\n"
	  "Exit status: 0 ok, 1 refused (no cases, a draft, a case above --tlp, DIR not\n"
	  "empty or not writable, not allowed), 2 usage error.\n" },
	/* ---- issue 13 (h-themes) ---- */
	{ "themes", cmd_themes, KCLI_WRITE,
	  "the cross-case lessons (総括) of a set of cases, and analysts' edits to them",
	  "usage: kyokun themes (--period Y | --select ID,... | --document NAME) [--scope S]\n"
	  "                     [--format text|json]\n"
	  "       kyokun themes (--scope S | --period Y | ...) --rename KEY NAME\n"
	  "       kyokun themes (--scope S | --period Y | ...) --merge KEY1 KEY2\n"
	  "       kyokun themes (--scope S | --period Y | ...) --move CASEID#N KEY|new [--name NAME]\n"
	  "       kyokun themes --scope S (--edits | --undo)\n"
	  "\n"
	  "The lessons of the cases (each bullet of 得られた気付き・教訓, and the key\n"
	  "lessons) grouped into themes by the similarity of their words, largest\n"
	  "first; lessons like no other are under その他.  Each lesson is 共通 when its\n"
	  "theme holds lessons of two or more organisations, else 固有.  A theme's KEY\n"
	  "(backup, t-1a2b3c4d, ...) stays the same for the same cases; a lesson is\n"
	  "CASEID#N, its number among the lessons of its case.\n"
	  "\n"
	  "--period Y       the cases chosen for survey period Y (or, with none chosen,\n"
	  "                 the cases of year Y)\n"
	  "--select ID,...  these cases (or drafts)\n"
	  "--document NAME  the cases of a published report\n"
	  "--scope S        where the edits are kept: by default the period, the\n"
	  "                 document, or select:IDS; alone, a year is a period and\n"
	  "                 anything else a document\n"
	  "--format F       text (default) or json\n"
	  "--rename KEY NAME  call theme KEY NAME\n"
	  "--merge KEY1 KEY2  put the lessons of KEY2 into KEY1\n"
	  "--move REF KEY     move lesson REF (CASEID#N) to theme KEY, or to a new\n"
	  "                   theme with KEY new (a split; --name NAME names it)\n"
	  "--edits          list the edits of the scope: number, when, who, what\n"
	  "--undo           forget the latest edit of the scope\n"
	  "\n"
	  "Edits are kept per scope with who made them and when (audited), and\n"
	  "reapplied every time the themes are computed; an edit whose theme or\n"
	  "lesson is gone is skipped with a note.  Editing is for analysts and\n"
	  "publishers (with --as LOGIN) or the operator.\n"
	  "\n"
	  "Exit status: 0 ok, 1 refused (no such case, theme or lesson, not allowed),\n"
	  "2 usage error.\n" },
	{ "help", cmd_help, KCLI_NO_STORE,
	  "show help for kyokun or one command",
	  "usage: kyokun help [COMMAND]\n" },
	{ NULL, NULL, KCLI_NO_STORE, NULL, NULL },
};

const struct kcommand *kcommand_find(const char *name)
{
	for (const struct kcommand *c = kcommands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int kcli_dispatch(struct kcli *cli, int argc, char **argv)
{
	const struct kcommand *cmd = kcommand_find(argv[0]);

	if (!cmd) {
		kcli_error("no command '%s' (see 'kyokun help')", argv[0]);
		return 2;
	}
	if (cmd->fn != cmd_help && kcli_wants_help(argc, argv)) {
		kcli_usage(cmd, stdout);
		return 0;
	}
	cli->cmd = cmd;
	opterr = 0; /* commands report bad options themselves (kcli_bad_option) */
	return cmd->fn(cli, argc, argv);
}

/* "local:NAME" for the user running the command, into buf. */
static void local_actor(char *buf, size_t n)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw && pw->pw_name && *pw->pw_name)
		snprintf(buf, n, "local:%s", pw->pw_name);
	else
		snprintf(buf, n, "local:%ld", (long)getuid());
}

int kcli_run_store(struct kcli *cli, enum kcli_store need,
		   int (*run)(struct kcli *cli, struct kstore *st, void *arg), void *arg)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;
	struct kreader_hold hold = { 0 };
	struct kuser u = { 0 };
	char actor[300];
	int rc;

	cli->reader = &kreader_local;
	if (cli->as && need != KCLI_READ && !cli->as_acts) {
		kcli_error("--as LOGIN is for commands that only read (list, show, export, history, search, "
			   "similar) and for report and draft; '%s' does not take it",
			   cli->cmd ? cli->cmd->name : "this command");
		return 2;
	}
	if (need != KCLI_NO_STORE &&
	    kstore_open(&st, cli->db_path, need == KCLI_READ ? KSTORE_READONLY : 0, &err) < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	if (st && kstore_note(st))
		fprintf(stderr, "kyokun: note: %s: %s\n", cli->db_path, kstore_note(st));
	/* every write of the store names who made it in the audit log */
	if (st && need == KCLI_WRITE) {
		local_actor(actor, sizeof(actor));
		if (kstore_set_actor(st, 0, actor, "cli") < 0) {
			kcli_error("out of memory");
			kstore_close(st);
			return 1;
		}
	}
	/* --as LOGIN: read as that user would (a disabled user sees nothing: refused) */
	if (st && cli->as) {
		if (kstore_user_get(st, cli->as, &u, &err) < 0 || kstore_reader_of_user(st, &u, &hold, &err) < 0) {
			kcli_error("--as %s: %s", cli->as, err.msg);
			rc = 1;
			goto out;
		}
		cli->reader = &hold.r;
		/* report and draft act as the user: their writes are the user's */
		if (need == KCLI_WRITE && kstore_set_actor(st, u.id, u.login, "cli") < 0) {
			kcli_error("out of memory");
			rc = 1;
			goto out;
		}
	}
	rc = run(cli, st, arg);
out:
	cli->reader = &kreader_local;
	kreader_hold_free(&hold);
	kuser_free(&u);
	kstore_close(st);
	return rc;
}

void kcli_reader_limit(const struct kcli *cli, struct kreader *me)
{
	int limited = me->limited, limit = me->limit;

	*me = *cli->reader;
	if (limited && (!me->limited || limit < me->limit)) {
		me->limited = 1;
		me->limit = limit;
	}
}

int kcli_print_list(const char *key, json_t *list, struct kerr *err)
{
	json_t *o = json_pack("{s:O}", key, list);
	int rc = 0;

	if (!o || json_dumpf(o, stdout, JSON_INDENT(2)) < 0)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	else
		putchar('\n');
	json_decref(o);
	return rc;
}

int kcli_find_user(struct kstore *st, const char *login, struct kuser *u)
{
	struct kerr err = KERR_INIT;
	int rc = kstore_user_get(st, login, u, &err);

	if (rc == KE_NOTFOUND)
		kcli_error("no user with login \"%s\" (see 'kyokun user list')", login);
	else if (rc < 0)
		kcli_error("%s", err.msg);
	return rc < 0;
}

const char *kcli_no_case(const char *id)
{
	static char msg[256];

	snprintf(msg, sizeof(msg), "no case with id \"%.200s\"", id);
	return msg;
}

int kcli_run(struct kcli *cli, int (*run)(struct kcli *cli, struct kstore *st, void *arg), void *arg)
{
	return kcli_run_store(cli, cli->cmd->store, run, arg);
}

const char kcli_synopsis[] =
	"usage: kyokun [--db PATH] COMMAND [ARGS...]\n"
	"       kyokun --version | help [COMMAND]\n";
const char kcli_about[] =
	"kyokun (教訓) keeps a library of incident case studies in critical\n"
	"infrastructure: import published reports, search them, serve them.\n";
const char kcli_globals[] =
	"  --db PATH   the database (default $KYOKUN_DB, or ./kyokun.db)\n"
	"  --as LOGIN  read as that user would (list, show, export, history, search,\n"
	"              similar): only the cases the TLP rules let them see; report\n"
	"              and draft act as that user (their role's rights, audited as\n"
	"              theirs)\n"
	"  --version   print the version\n";

void kcli_help(FILE *fp)
{
	fprintf(fp, "%s\n%s\nGlobal options:\n%s\nCommands:\n", kcli_synopsis, kcli_about, kcli_globals);
	for (const struct kcommand *c = kcommands; c->name; c++)
		fprintf(fp, "  %-9s %s\n", c->name, c->summary);
	fputs("\nRun 'kyokun help COMMAND' or 'kyokun COMMAND --help' for a command's options.\n", fp);
}

void kcli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("kyokun: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void kcli_usage(const struct kcommand *cmd, FILE *fp)
{
	fputs(cmd->usage, fp);
}

int kcli_usage_error(const char *cmdname, const char *fmt, ...)
{
	const struct kcommand *cmd = kcommand_find(cmdname);
	va_list ap;

	fputs("kyokun: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd) {
		const char *nl = strchr(cmd->usage, '\n');

		fprintf(stderr, "%.*s\n", nl ? (int)(nl - cmd->usage) : (int)strlen(cmd->usage), cmd->usage);
		fprintf(stderr, "Try 'kyokun help %s' for more.\n", cmdname);
	}
	return 2;
}

int kcli_bad_option(const char *cmdname, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	if (arg && arg[0] == '-' && arg[1] == '-')
		return kcli_usage_error(cmdname, "option '%s' is unknown or needs a value", arg);
	if (optopt && optopt != '?')
		return kcli_usage_error(cmdname, "option '-%c' is unknown or needs a value", optopt);
	return kcli_usage_error(cmdname, "option '%s' is unknown", arg ? arg : "?");
}

int kcli_opt_choice(const struct kcli *cli, const char *opt, const char *arg,
		    const char *const *choices, int *out)
{
	char expected[128] = "";
	size_t n = 0;

	for (int i = 0; choices[i]; i++) {
		if (!strcmp(arg, choices[i])) {
			*out = i;
			return 0;
		}
	}
	/* "a, b or c" */
	for (int i = 0; choices[i] && n < sizeof(expected); i++)
		n += (size_t)snprintf(expected + n, sizeof(expected) - n, "%s%s",
				      i == 0 ? "" : choices[i + 1] ? ", " : " or ", choices[i]);
	return kcli_usage_error(cli->cmd->name, "%s: expected %s", opt, expected);
}

int kcli_opt_number(const struct kcli *cli, const char *opt, const char *arg, long min, long max,
		    long *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!*arg || *end || v < min || v > max)
		return kcli_usage_error(cli->cmd->name, "%s: expected a number from %ld to %ld", opt, min, max);
	*out = v;
	return 0;
}

int kcli_opt_year(const struct kcli *cli, const char *opt, const char *arg, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || v <= 0 || v > INT_MAX)
		return kcli_usage_error(cli->cmd->name, "%s: expected a year such as 2020", opt);
	*out = (int)v;
	return 0;
}

int kcli_opt_tlp(const struct kcli *cli, const char *opt, const char *arg, int *out)
{
	if (!ktlp_valid(arg))
		return kcli_usage_error(cli->cmd->name, "%s: expected clear, green, amber, amber+strict or red",
					opt);
	if (out)
		*out = ktlp_rank(arg);
	return 0;
}

int kcli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	}
	return 0;
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Progress lines on a terminal, at most one every 0.25 s.  The environment
 * variable KYOKUN_PROGRESS_DELAY (seconds, 0 to 60) changes that, as
 * GIT_PROGRESS_DELAY does git's: the tests set 0 to see the line on a small
 * input.
 */
void kcli_progress_init(struct kprogress *p, struct kcli *cli)
{
	const char *d = getenv("KYOKUN_PROGRESS_DELAY");
	char *end = NULL;
	double v = d && *d ? strtod(d, &end) : -1;

	p->every = end && *end == '\0' && v >= 0 && v <= 60 ? v : 0.25;
	p->enabled = cli->err_tty && !cli->quiet;
	p->start = p->last = now_sec();
	p->shown = 0;
	p->unit = "cases";
}

/* "42s", "3m05s", "2h10m" into buf. */
static void duration(char *buf, size_t n, double s)
{
	long t = s < 0 ? 0 : s > 359999 ? 359999 : (long)(s + 0.5);

	if (t < 60)
		snprintf(buf, n, "%lds", t);
	else if (t < 3600)
		snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
}

void kcli_progress(struct kprogress *p, const char *label, long n, long long done, long long total)
{
	char pct[16] = "", rate[64] = "", left[64] = "";
	double t, el;

	if (!p->enabled)
		return;
	t = now_sec();
	if (t - p->last < p->every)
		return;
	p->last = t;
	p->shown = 1;
	el = t - p->start;
	if (total > 0)
		snprintf(pct, sizeof(pct), " (%d%%)", (int)(done * 100 / total));
	if (el > 0 && n > 0)
		snprintf(rate, sizeof(rate), ", %.*f %s/s", n / el < 10 ? 1 : 0, n / el, p->unit);
	if (el > 0 && total > 0 && done > 0 && done < total) {
		char d[48];

		duration(d, sizeof(d), el * (double)(total - done) / (double)done);
		snprintf(left, sizeof(left), ", %s left", d);
	}
	fprintf(stderr, "\r%s: %ld %s%s%s%s\033[K", label, n, p->unit, pct, rate, left);
	fflush(stderr);
}

void kcli_progress_done(struct kprogress *p)
{
	if (p->enabled && p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->shown = 0;
}

int kcli_width(const char *s)
{
	size_t i = 0, len = strlen(s);
	uint32_t cp;
	int w = 0;

	while (i < len) {
		int n = kutf8_decode(s + i, len - i, &cp);

		if (n < 0) {
			i++;
			w++;
			continue;
		}
		i += (size_t)n;
		w += utf8proc_charwidth((utf8proc_int32_t)cp);
	}
	return w;
}

void kcli_print_cell(FILE *fp, const char *s, int width)
{
	size_t i = 0, len;
	uint32_t cp;
	int w = 0;

	if (!s)
		s = "";
	len = strlen(s);
	while (i < len) {
		int n = kutf8_decode(s + i, len - i, &cp);
		int cw;

		if (n < 0)
			break;
		cw = utf8proc_charwidth((utf8proc_int32_t)cp);
		if (cp == '\n' || cp == '\t')
			cw = 1;
		if (w + cw > width)
			break;
		if (cp == '\n' || cp == '\t')
			fputc(' ', fp);
		else
			fwrite(s + i, 1, (size_t)n, fp);
		w += cw;
		i += (size_t)n;
	}
	for (; w < width; w++)
		fputc(' ', fp);
}

/* ---- passwords ------------------------------------------------------------ */

static struct termios saved_tty;
static volatile sig_atomic_t tty_changed;

static void restore_tty(int sig)
{
	if (tty_changed)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One line of fp into buf (n bytes) without its line end: 0, 1 at end of input, 2 too long. */
static int read_line(FILE *fp, char *buf, size_t n)
{
	size_t len;

	if (!fgets(buf, (int)n, fp))
		return 1;
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[--len] = 0;
	else if (!feof(fp))
		return 2;
	if (len && buf[len - 1] == '\r')
		buf[--len] = 0;
	return 0;
}

/* A line from the terminal without echo, after prompt on stderr. */
static int read_hidden(const char *prompt, char *buf, size_t n)
{
	struct termios t;
	struct sigaction sa = { 0 }, old[4];
	static const int sigs[4] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	int rc;

	if (tcgetattr(STDIN_FILENO, &saved_tty) != 0)
		return read_line(stdin, buf, n);
	sa.sa_handler = restore_tty;
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	t = saved_tty;
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_lflag |= ECHONL;
	/* echo off first (what was typed before is dropped), then the prompt */
	tty_changed = 1;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
	fprintf(stderr, "%s: ", prompt);
	fflush(stderr);
	rc = read_line(stdin, buf, n);
	tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	tty_changed = 0;
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	return rc;
}

int kcli_read_password(const char *file, const char *what, char **pw)
{
	char a[KPASSWORD_MAX + 3], b[KPASSWORD_MAX + 3];
	int rc = 1, r;

	*pw = NULL;
	if (file) {
		FILE *fp = fopen(file, "r");

		if (!fp) {
			kcli_error("%s: %s", file, strerror(errno));
			return 1;
		}
		r = read_line(fp, a, sizeof(a));
		fclose(fp);
		if (r == 1 || (!r && !*a)) {
			kcli_error("%s: the first line is empty: no password given", file);
			goto out;
		}
	} else if (isatty(STDIN_FILENO)) {
		r = read_hidden(what, a, sizeof(a));
		if (!r && *a) {
			if ((r = read_hidden("Again", b, sizeof(b))) == 0 && strcmp(a, b)) {
				kcli_error("the two passwords differ: nothing changed");
				goto out;
			}
		}
		if (r == 1 || (!r && !*a)) {
			kcli_error("no password given: nothing changed");
			goto out;
		}
	} else {
		r = read_line(stdin, a, sizeof(a));
		if (r == 1 || (!r && !*a)) {
			kcli_error("no password given on standard input (or give --password-file FILE)");
			goto out;
		}
	}
	if (r == 2) {
		kcli_error("the password is longer than %d bytes", KPASSWORD_MAX);
		goto out;
	}
	if (!(*pw = strdup(a))) {
		kcli_error("out of memory");
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(a, sizeof(a));
	explicit_bzero(b, sizeof(b));
	return rc;
}
