/* mgrd: the manager daemon.  A thin program over core/server.c: options,
 * the authkey, listeners, signals and detaching.  See mgrd(8). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "addr.h"
#include "auth.h"
#include "buf.h"
#include "frame.h"
#include "log.h"
#include "server.h"

#ifndef MGR_VERSION
#define MGR_VERSION "0.1.0"
#endif

#define MAX_FRAME_MIN 64

static struct mgr_server *the_server;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mgrd [-l ADDR]... [--authkey-file FILE] [--stdio] [-d] [-v|-q]\n"
		"            [--max-frame BYTES]\n"
		"\n"
		"Serve shared objects (dicts, lists, queues, locks, ...) to mgrctl and mgrfs.\n"
		"\n"
		"  -l, --listen ADDR      listen on unix:PATH or tcp:HOST:PORT (repeatable;\n"
		"                         replaces the default socket)\n"
		"      --authkey-file FILE  clients of -l listeners must prove they know\n"
		"                         this key (required for tcp:)\n"
		"      --stdio            serve one session on stdin and stdout, then exit\n"
		"  -d, --detach           run in the background once listening\n"
		"  -v, --verbose          also log connections (debug)\n"
		"  -q, --quiet            log errors only\n"
		"      --max-frame BYTES  refuse request frames larger than this (%d..%u)\n"
		"  -h, --help             show this help\n"
		"      --version          show the version\n"
		"\n"
		"Default socket: $MGRFS_SOCKET, else $XDG_RUNTIME_DIR/mgrfs/socket,\n"
		"else /tmp/mgrfs-$UID/socket.  See mgrd(8).\n",
		MAX_FRAME_MIN, MGR_FRAME_MAX);
}

static void log_stderr(enum mgr_log_level level, const char *msg)
{
	fprintf(stderr, "mgrd: %s: %s\n", mgr_log_level_name(level), msg);
}

static void on_stop_signal(int sig)
{
	mgr_server_stop(the_server);
}

/* Say what is wrong with the command line; the exit status for that. */
__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fprintf(stderr, "mgrd: ");
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fprintf(stderr, "\n");
	}
	fprintf(stderr, "Try 'mgrd --help' for more information.\n");
	return 2;
}

/* Read the key; a file others can read is allowed but worth a word. */
static int load_key(const char *file, char **key, size_t *len)
{
	const char *why;
	struct stat st;
	int r;

	r = mgr_auth_read_key(file, key, len, &why);
	if (r < 0) {
		mgr_log(MGR_LOG_ERROR, "%s: %s (%s)", file, why, strerror(-r));
		return r;
	}
	if (stat(file, &st) == 0 && (st.st_mode & 077))
		mgr_log(MGR_LOG_WARN, "%s can be read by other users", file);
	return 0;
}

static int listen_default(struct mgr_server *srv, char *err, size_t errlen)
{
	struct mgr_buf path = MGR_BUF_INIT;
	struct mgr_addr a = { .kind = MGR_ADDR_UNIX };
	const char *env = getenv("MGRFS_SOCKET");
	int flags = 0, r;

	r = mgr_addr_default_socket(&path);
	if (r < 0) {
		snprintf(err, errlen, "out of memory");
		return r;
	}
	/* $XDG_RUNTIME_DIR/mgrfs and /tmp/mgrfs-UID belong to mgrfs and
	 * must be private; a socket the user named may live anywhere. */
	if (!env || !*env)
		flags |= MGR_LISTEN_PRIVATE_DIR;
	a.path = path.data;
	r = mgr_server_listen(srv, &a, flags, err, errlen);
	mgr_buf_release(&path);
	return r;
}

/* Fork into the background: the parent exits at once (the sockets are
 * already bound, so a client may connect as soon as it returns), the
 * child leaves the terminal behind. */
static int detach(void)
{
	pid_t pid;
	int fd;

	pid = fork();
	if (pid < 0) {
		mgr_log(MGR_LOG_ERROR, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(0);
	if (setsid() < 0 || chdir("/") < 0) {
		mgr_log(MGR_LOG_ERROR, "detaching: %s", strerror(errno));
		return -1;
	}
	fd = open("/dev/null", O_RDWR);
	if (fd < 0) {
		mgr_log(MGR_LOG_ERROR, "/dev/null: %s", strerror(errno));
		return -1;
	}
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_AUTHKEY = 256, OPT_STDIO, OPT_MAX_FRAME, OPT_VERSION };
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "authkey-file", required_argument, NULL, OPT_AUTHKEY },
		{ "stdio", no_argument, NULL, OPT_STDIO },
		{ "detach", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "max-frame", required_argument, NULL, OPT_MAX_FRAME },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	enum mgr_log_level level = MGR_LOG_INFO;
	struct mgr_server_opts opts = { 0 };
	struct mgr_addr *addrs = NULL, *grown;
	const char *keyfile = NULL, *why;
	bool use_stdio = false, daemonize = false;
	struct sigaction sa;
	char err[512], *key = NULL, *end;
	size_t nkey = 0, naddrs = 0, i;
	unsigned long long n;
	int opt, status = 1, r;

	while ((opt = getopt_long(argc, argv, "l:dvqh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			grown = realloc(addrs, (naddrs + 1) * sizeof(*addrs));
			if (!grown) {
				fprintf(stderr, "mgrd: out of memory\n");
				goto out;
			}
			addrs = grown;
			if (mgr_addr_parse(optarg, &addrs[naddrs], &why) < 0) {
				status = usage_error("-l %s: %s", optarg, why);
				goto out;
			}
			naddrs++;
			if (addrs[naddrs - 1].kind != MGR_ADDR_UNIX &&
			    addrs[naddrs - 1].kind != MGR_ADDR_TCP) {
				status = usage_error("-l takes unix:PATH or tcp:HOST:PORT, not '%s'",
						     optarg);
				goto out;
			}
			break;
		case OPT_AUTHKEY:
			keyfile = optarg;
			break;
		case OPT_STDIO:
			use_stdio = true;
			break;
		case 'd':
			daemonize = true;
			break;
		case 'v':
			level = MGR_LOG_DEBUG;
			break;
		case 'q':
			level = MGR_LOG_ERROR;
			break;
		case OPT_MAX_FRAME:
			errno = 0;
			n = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' ||
			    n < MAX_FRAME_MIN || n > MGR_FRAME_MAX) {
				status = usage_error("--max-frame takes a number of bytes from %d to %u, not '%s'",
						     MAX_FRAME_MIN, MGR_FRAME_MAX, optarg);
				goto out;
			}
			opts.max_frame = n;
			break;
		case 'h':
			usage(stdout);
			status = 0;
			goto out;
		case OPT_VERSION:
			printf("mgrd (mgrfs) %s\n", MGR_VERSION);
			status = 0;
			goto out;
		default:
			/* getopt has said what was wrong. */
			status = usage_error(NULL);
			goto out;
		}
	}
	if (optind < argc) {
		status = usage_error("unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (daemonize && use_stdio) {
		status = usage_error("--detach and --stdio exclude each other");
		goto out;
	}

	mgr_log_set(log_stderr, level);
	signal(SIGPIPE, SIG_IGN);
	if (keyfile && load_key(keyfile, &key, &nkey) < 0)
		goto out;
	opts.authkey = key;
	opts.authkey_len = nkey;
	if (mgr_server_new(&opts, &the_server, err, sizeof(err)) < 0) {
		mgr_log(MGR_LOG_ERROR, "%s", err);
		goto out;
	}
	/* From here a stop request is only noted, and the loop acts on it
	 * (at once, if it came before the loop started). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (key && naddrs == 0)
		mgr_log(MGR_LOG_WARN, "the authkey is not used: only listeners given with -l ask for it");
	for (i = 0; i < naddrs; i++) {
		int flags = key ? MGR_LISTEN_AUTH : 0;

		if (mgr_server_listen(the_server, &addrs[i], flags, err, sizeof(err)) < 0) {
			mgr_log(MGR_LOG_ERROR, "%s", err);
			goto out;
		}
	}
	if (use_stdio) {
		if (mgr_server_serve_fds(the_server, 0, 1, err, sizeof(err)) < 0) {
			mgr_log(MGR_LOG_ERROR, "%s", err);
			goto out;
		}
	} else if (naddrs == 0) {
		if (listen_default(the_server, err, sizeof(err)) < 0) {
			mgr_log(MGR_LOG_ERROR, "%s", err);
			goto out;
		}
	}
	if (daemonize && detach() < 0)
		goto out;
	r = mgr_server_run(the_server, err, sizeof(err));
	if (r < 0) {
		mgr_log(MGR_LOG_ERROR, "%s", err);
		goto out;
	}
	status = 0;
out:
	mgr_server_free(the_server);
	if (key) {
		OPENSSL_cleanse(key, nkey);
		free(key);
	}
	for (i = 0; i < naddrs; i++)
		mgr_addr_release(&addrs[i]);
	free(addrs);
	return status;
}
