/*
 * cmd_serve.c - `kyokun serve`: the web application and JSON API on the
 * database, until SIGINT or SIGTERM; SIGHUP reopens the access log file.
 */
#include "cli.h"
#include "config.h"
#include "http.h"
#include "kbuf.h"
#include "kerr.h"
#include "store.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

/*
 * A duration: N in the option's unit (60 for minutes, 3600 for hours), or N
 * followed by s, m or h (short lifetimes for trying expiry out).  Seconds
 * into *out: 0, or a usage error.
 */
static int opt_duration(const struct kcli *cli, const char *opt, const char *arg, long unit,
			const char *unit_name, long *out)
{
	if (kconfig_duration(arg, unit, out) < 0)
		return kcli_usage_error(cli->cmd->name, "%s: expected a number of %s (or Ns, Nm, Nh), "
					"at most a year", opt, unit_name);
	return 0;
}

/*
 * Read the configuration file (--config FILE, else /etc/kyokun/kyokun.conf
 * if it exists, none with --no-config) into cf and take from it what the
 * command line did not say (given[k]: the option for key k was given).
 * 0, or 1 after saying what is wrong.
 */
static int serve_config(struct kcli *cli, const char *path, int no_config, const int *given,
			struct khttp_config *cfg, struct kconfig *cf)
{
	struct kerr err = KERR_INIT;
	const struct kconfig_setting *v = cf->set;

	if (no_config)
		return 0;
	if (kconfig_load_default(cf, path, &err) < 0) {
		/* the default file of a server on this machine, for a test run by hand */
		kcli_error("serve: %s%s", err.msg, path ? "" : " (--no-config: read no configuration file)");
		return 1;
	}
	if (cf->nproblems) {
		for (size_t i = 0; i < cf->nproblems; i++)
			kcli_error("%s", cf->problems[i]);
		kcli_error("serve: the configuration file has %zu problem%s: not started (see 'kyokun config check')",
			   cf->nproblems, cf->nproblems == 1 ? "" : "s");
		return 1;
	}
	if (v[KCONF_DB].value && !cli->db_from)
		cli->db_path = v[KCONF_DB].value;
	if (v[KCONF_LISTEN].value && !given[KCONF_LISTEN])
		cfg->listen = v[KCONF_LISTEN].value;
	/* the certificate and its key come as a pair: from the command line or from the file */
	if (v[KCONF_TLS_CERT].value && !given[KCONF_TLS_CERT] && !given[KCONF_TLS_KEY]) {
		cfg->tls_cert_file = v[KCONF_TLS_CERT].value;
		cfg->tls_key_file = v[KCONF_TLS_KEY].value;
	}
	if (v[KCONF_THREADS].value && !given[KCONF_THREADS])
		cfg->threads = (unsigned)v[KCONF_THREADS].num;
	if (v[KCONF_MAX_PER_IP].value && !given[KCONF_MAX_PER_IP])
		cfg->max_per_ip = (unsigned)v[KCONF_MAX_PER_IP].num;
	if (v[KCONF_BEHIND_PROXY].value && !given[KCONF_BEHIND_PROXY])
		cfg->behind_proxy = (int)v[KCONF_BEHIND_PROXY].num;
	if (v[KCONF_ACCESS_LOG].value && !given[KCONF_ACCESS_LOG]) {
		cfg->access_log = 1;
		cfg->access_log_path = v[KCONF_ACCESS_LOG].value; /* "-": standard error */
	}
	if (v[KCONF_NO_CACHE].value && !given[KCONF_NO_CACHE])
		cfg->no_cache = (int)v[KCONF_NO_CACHE].num;
	if (v[KCONF_CACHE_SIZE].value && !given[KCONF_CACHE_SIZE])
		cfg->cache_mb = (unsigned)v[KCONF_CACHE_SIZE].num;
	if (v[KCONF_SESSION_IDLE].value && !given[KCONF_SESSION_IDLE])
		cfg->session_idle = v[KCONF_SESSION_IDLE].num;
	if (v[KCONF_SESSION_MAX].value && !given[KCONF_SESSION_MAX])
		cfg->session_max = v[KCONF_SESSION_MAX].num;
	return 0;
}

/* Read a PEM file for TLS into *pem (malloc'ed): 0, or 1 after saying why not. */
static int read_pem(const char *opt, const char *path, char **pem)
{
	struct kbuf b = KBUF_INIT;
	struct kerr err = KERR_INIT;

	kbuf_setcap(&b, 1 << 20);
	if (kbuf_read_file(&b, path, &err) < 0) {
		kcli_error("serve: %s: %s", opt, err.msg);
		kbuf_release(&b);
		return 1;
	}
	if (!b.len) {
		kcli_error("serve: %s %s: the file is empty", opt, path);
		kbuf_release(&b);
		return 1;
	}
	*pem = kbuf_detach(&b, NULL);
	return *pem ? 0 : 1;
}

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
		/* SIGHUP (logrotate): the access log file anew, here in an ordinary thread */
		if (sig == SIGHUP && khttp_reopen_log(srv, &err) < 0) {
			kcli_error("serve: SIGHUP: %s (still writing to the old file)", err.msg);
			kerr_clear(&err);
		}
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
		{ "access-log", required_argument, NULL, 'a' },
		{ "no-cache", no_argument, NULL, 'n' },
		{ "cache-size", required_argument, NULL, 'S' },
		{ "max-per-ip", required_argument, NULL, 'p' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "behind-proxy", no_argument, NULL, 'P' },
		{ "session-idle", required_argument, NULL, 'I' },
		{ "session-max", required_argument, NULL, 'M' },
		{ "config", required_argument, NULL, 'c' },
		{ "no-config", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	/* the configuration file's key of each option */
	static const struct { int opt, key; } keyof[] = {
		{ 'l', KCONF_LISTEN }, { 't', KCONF_THREADS }, { 'a', KCONF_ACCESS_LOG },
		{ 'n', KCONF_NO_CACHE }, { 'p', KCONF_MAX_PER_IP }, { 'C', KCONF_TLS_CERT },
		{ 'K', KCONF_TLS_KEY }, { 'P', KCONF_BEHIND_PROXY }, { 'I', KCONF_SESSION_IDLE },
		{ 'M', KCONF_SESSION_MAX }, { 'S', KCONF_CACHE_SIZE },
	};
	struct kconfig cf = KCONFIG_INIT;
	const char *config_path = NULL;
	int given[KCONF_NKEYS] = { 0 }, no_config = 0;
	struct khttp_config cfg = { .listen = "127.0.0.1:8080" };
	struct sockaddr_storage ss;
	struct kerr err = KERR_INIT;
	char *cert = NULL, *key = NULL;
	unsigned len;
	int c, rc;
	long n;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		for (size_t i = 0; i < sizeof(keyof) / sizeof(*keyof); i++)
			if (keyof[i].opt == c)
				given[keyof[i].key] = 1;
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'N':
			no_config = 1;
			break;
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
			cfg.access_log_path = optarg; /* "-": standard error */
			break;
		case 'n':
			cfg.no_cache = 1;
			break;
		case 'S':
			if ((rc = kcli_opt_number(cli, "--cache-size", optarg, 1, KHTTP_CACHE_MB_MAX, &n)))
				return rc;
			cfg.cache_mb = (unsigned)n;
			break;
		case 'p':
			if ((rc = kcli_opt_number(cli, "--max-per-ip", optarg, 1, KHTTP_MAX_CONNECTIONS, &n)))
				return rc;
			cfg.max_per_ip = (unsigned)n;
			break;
		case 'C':
			cfg.tls_cert_file = optarg;
			break;
		case 'K':
			cfg.tls_key_file = optarg;
			break;
		case 'P':
			cfg.behind_proxy = 1;
			break;
		case 'I':
			if ((rc = opt_duration(cli, "--session-idle", optarg, 60, "minutes", &cfg.session_idle)))
				return rc;
			break;
		case 'M':
			if ((rc = opt_duration(cli, "--session-max", optarg, 3600, "hours", &cfg.session_max)))
				return rc;
			break;
		default:
			return kcli_bad_option("serve", argv);
		}
	}
	if (optind < argc)
		return kcli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
	if (config_path && no_config)
		return kcli_usage_error("serve", "--config and --no-config exclude each other");
	if (!cfg.tls_cert_file != !cfg.tls_key_file)
		return kcli_usage_error("serve", "--tls-cert and --tls-key go together");
	/* check --listen and the TLS files before touching the database */
	if (khttp_parse_listen(cfg.listen, &ss, &len, &err) < 0)
		return kcli_usage_error("serve", "%s", err.msg);
	if ((rc = serve_config(cli, config_path, no_config, given, &cfg, &cf)))
		goto out;
	if (cfg.tls_cert_file) {
		if (read_pem("--tls-cert", cfg.tls_cert_file, &cert) || read_pem("--tls-key", cfg.tls_key_file, &key)) {
			rc = 1;
			goto out;
		}
		cfg.tls_cert = cert;
		cfg.tls_key = key;
	}
	kstore_global_init(1); /* the storage engine's settings for a server, before any open */
	rc = kcli_run(cli, serve_run, &cfg);
out:
	free(cert);
	if (key) {
		/* the private key does not stay in freed memory */
		volatile char *k = key;

		while (*k)
			*k++ = 0;
		free(key);
	}
	kconfig_free(&cf);
	return rc;
}
