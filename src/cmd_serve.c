/*
 * cmd_serve.c - `kyokun serve`: the web application and JSON API on the
 * database, until SIGINT or SIGTERM.
 */
#include "cli.h"
#include "http.h"
#include "kerr.h"
#include "store.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>

/*
 * Serve until SIGINT or SIGTERM.  st is the read-write connection kcli_run()
 * opened (creating or migrating the database), so the workers open read-only
 * connections to a database that exists and has the current schema; it
 * stays open while serving, so the WAL files do too.
 */
static int serve_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct khttp_config *cfg = arg;
	struct khttp_server *srv = NULL;
	struct kerr err = KERR_INIT;
	sigset_t set, old;
	char addr[128];
	int sig = 0, rc = 0;

	cfg->db_path = cli->db_path;
	/* the worker threads inherit this mask: only this thread takes the signals */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	signal(SIGPIPE, SIG_IGN);
	if (khttp_start(&srv, cfg, &err) < 0) {
		kcli_error("serve: %s", err.msg);
		rc = 1;
		goto out;
	}
	snprintf(addr, sizeof(addr), "%s", khttp_url(srv));
	printf("kyokun: serving %s on %s (Ctrl-C stops)\n", cli->db_path, addr);
	fflush(stdout);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGINT || sig == SIGTERM)
			break;
	}
	fprintf(stderr, "kyokun: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	khttp_stop(srv);
out:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int cmd_serve(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "access-log", no_argument, NULL, 'a' },
		{ "no-cache", no_argument, NULL, 'n' },
		{ "max-per-ip", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct khttp_config cfg = { .listen = "127.0.0.1:8080" };
	struct sockaddr_storage ss;
	struct kerr err = KERR_INIT;
	unsigned len;
	int c, rc;
	long n;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			cfg.listen = optarg;
			break;
		case 't':
			if ((rc = kcli_opt_number(cli, "--threads", optarg, 1, 256, &n)))
				return rc;
			cfg.threads = (unsigned)n;
			break;
		case 'a':
			cfg.access_log = 1;
			break;
		case 'n':
			cfg.no_cache = 1;
			break;
		case 'p':
			if ((rc = kcli_opt_number(cli, "--max-per-ip", optarg, 1, KHTTP_MAX_CONNECTIONS, &n)))
				return rc;
			cfg.max_per_ip = (unsigned)n;
			break;
		default:
			return kcli_bad_option("serve", argv);
		}
	}
	if (optind < argc)
		return kcli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
	/* check --listen before touching the database */
	if (khttp_parse_listen(cfg.listen, &ss, &len, &err) < 0)
		return kcli_usage_error("serve", "%s", err.msg);
	kstore_global_init(1); /* the storage engine's settings for a server, before any open */
	return kcli_run(cli, serve_run, &cfg);
}
