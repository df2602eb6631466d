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
#include <sys/resource.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "addr.h"
#include "auth.h"
#include "buf.h"
#include "frame.h"
#include "log.h"
#include "mgrd_data.h"
#include "mgrd_relay.h"
#include "pyserve.h"
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
		"            [--max-frame BYTES] [--max-memory SIZE] [--no-io-uring]\n"
		"            [--data-dir DIR [--fsync always|everysec|no]\n"
		"                            [--compact-min SIZE] [--repair]]\n"
		"       mgrd --check DIR [--repair]\n"
		"       mgrd --relay [ADDR]\n"
		"\n"
		"Serve shared objects (dicts, lists, queues, locks, ...) to mgrctl and mgrfs.\n"
		"\n"
		"  -l, --listen ADDR      listen on unix:PATH or tcp:HOST:PORT (repeatable;\n"
		"                         replaces the default socket), or for Python's\n"
		"                         multiprocessing managers on python+unix:PATH or\n"
		"                         python+tcp:HOST:PORT\n"
		"      --authkey-file FILE  clients of -l listeners must prove they know\n"
		"                         this key (required for tcp: and python+)\n"
		"      --stdio            serve one session on stdin and stdout, then exit\n"
		"      --relay [ADDR]     join stdin and stdout to the manager at ADDR (default:\n"
		"                         the default socket, starting a manager if none\n"
		"                         answers); what ssh: addresses run on their host\n"
		"  -d, --detach           run in the background once listening\n"
		"  -v, --verbose          also log connections (debug)\n"
		"  -q, --quiet            log errors only\n"
		"      --max-frame BYTES  refuse request frames larger than this (%d..%u)\n"
		"      --max-memory SIZE  refuse to store more data than this (bytes, or with\n"
		"                         K, M or G; 0 for no limit; default: half the memory)\n"
		"      --no-io-uring      read and write with a system call each, not in\n"
		"                         batches through io_uring\n"
		"      --data-dir DIR     keep the objects in DIR (which must exist) across\n"
		"                         restarts: a snapshot and a journal\n"
		"      --fsync POLICY     always (default): a change is on disk before its\n"
		"                         reply; everysec: within a second; no: when the\n"
		"                         system writes it\n"
		"      --repair           cut a journal at a corrupt record, losing what\n"
		"                         follows, instead of refusing to start\n"
		"      --compact-min SIZE compact the journal once it is this large\n"
		"                         (default 4M) and twice the snapshot\n"
		"      --check DIR        check a data directory without serving it\n"
		"  -h, --help             show this help\n"
		"      --version          show the version\n"
		"\n"
		"Default socket: $MGRFS_SOCKET, else $XDG_RUNTIME_DIR/mgrfs/socket,\n"
		"else /tmp/mgrfs-$UID/socket; with no -l, Python's beside it (python.sock,\n"
		"its key in python.key).  See mgrd(8).\n",
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

/* A manager holds a descriptor for every client, and a soft limit of
 * 1024 (the usual default) would turn clients away long before the
 * system has to: take all the hard limit allows. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		mgr_log(MGR_LOG_DEBUG, "cannot raise the limit of open files: %s", strerror(errno));
}

/* The default limit of stored data: half the memory this manager may use,
 * the machine's or its control group's, whichever is less. */
static unsigned long long default_max_memory(void)
{
	unsigned long long mem, cg;
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/sys/fs/cgroup/memory.max", "r");

	mem = pages > 0 && size > 0 ? (unsigned long long)pages * size : 0;
	if (f) {
		if (fscanf(f, "%llu", &cg) == 1 && cg && (!mem || cg < mem))
			mem = cg;
		fclose(f);
	}
	return mem / 2;
}

/* A size in bytes, with an optional K, M or G (powers of 1024). */
static int parse_size(const char *text, unsigned long long *out)
{
	unsigned long long n;
	unsigned shift = 0;
	char *end;

	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno || end == text || text[0] == '-')
		return -EINVAL;
	if (*end && end[1] == '\0')
		shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20 :
			*end == 'G' || *end == 'g' ? 30 : 0;
	if (*end && !shift)
		return -EINVAL;
	if (n > ULLONG_MAX >> shift)
		return -ERANGE;
	*out = n << shift;
	return 0;
}

/* Read the key (mgr_auth_read_key refuses a file others can read). */
static int load_key(const char *file, char **key, size_t *len)
{
	const char *why;
	int r;

	r = mgr_auth_read_key(file, key, len, &why);
	if (r < 0)
		mgr_log(MGR_LOG_ERROR, "%s: %s (%s)", file, why, strerror(-r));
	return r;
}

/* Beside the default socket (at sock), Python's: python.sock beside
 * .../socket, else SOCK.python, with the key its clients need in
 * python.key in that directory, made at the first start (32 random bytes
 * as hex, no newline, mode 0600) and kept, so that a program reads it
 * with open(path, 'rb').read(). */
static int listen_default_python(struct mgr_server *srv, const char *sock, char *err,
				 size_t errlen)
{
	const char *slash = strrchr(sock, '/');
	const char *base = slash ? slash + 1 : sock;
	int dirlen = slash ? (int)(slash - sock) : 1, n;
	struct mgr_addr a = { .kind = MGR_ADDR_UNIX };
	char keyfile[PATH_MAX], pysock[PATH_MAX], *key = NULL;
	size_t nkey = 0;
	int r;

	if (!strcmp(base, "socket"))
		n = snprintf(pysock, sizeof(pysock), "%.*s/python.sock", dirlen, sock);
	else
		n = snprintf(pysock, sizeof(pysock), "%s.python", sock);
	if (n >= (int)sizeof(pysock) ||
	    snprintf(keyfile, sizeof(keyfile), "%.*s/python.key", dirlen, slash ? sock : ".") >=
	    (int)sizeof(keyfile)) {
		snprintf(err, errlen, "%s: the path is too long", sock);
		return -ENAMETOOLONG;
	}
	r = mgr_pyserve_key_file(keyfile, &key, &nkey, err, errlen);
	if (r < 0)
		return r;
	r = mgr_pyserve_attach(srv, key, nkey, err, errlen);
	OPENSSL_cleanse(key, nkey);
	free(key);
	if (r < 0)
		return r;
	a.path = pysock;
	return mgr_server_listen(srv, &a, MGR_LISTEN_PYTHON, err, errlen);
}

static int listen_default(struct mgr_server *srv, char *err, size_t errlen)
{
	struct mgr_buf path = MGR_BUF_INIT;
	struct mgr_addr a = { .kind = MGR_ADDR_UNIX };
	const char *env = getenv("MGRFS_SOCKET");
	char pyerr[512];
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
	/* Python's listener is a convenience beside the manager: without it
	 * mgrfs's clients are still served. */
	if (!r && listen_default_python(srv, path.data, pyerr, sizeof(pyerr)) < 0)
		mgr_log(MGR_LOG_WARN, "no listener for Python: %s", pyerr);
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
	enum { OPT_AUTHKEY = 256, OPT_STDIO, OPT_RELAY, OPT_MAX_FRAME, OPT_MAX_MEMORY,
	       OPT_VERSION, OPT_DATA_DIR, OPT_FSYNC, OPT_REPAIR, OPT_COMPACT_MIN, OPT_CHECK,
	       OPT_NO_IO_URING };
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "authkey-file", required_argument, NULL, OPT_AUTHKEY },
		{ "stdio", no_argument, NULL, OPT_STDIO },
		{ "relay", no_argument, NULL, OPT_RELAY },
		{ "detach", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "max-frame", required_argument, NULL, OPT_MAX_FRAME },
		{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
		{ "data-dir", required_argument, NULL, OPT_DATA_DIR },
		{ "fsync", required_argument, NULL, OPT_FSYNC },
		{ "repair", no_argument, NULL, OPT_REPAIR },
		{ "compact-min", required_argument, NULL, OPT_COMPACT_MIN },
		{ "check", required_argument, NULL, OPT_CHECK },
		{ "no-io-uring", no_argument, NULL, OPT_NO_IO_URING },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	enum mgr_log_level level = MGR_LOG_INFO;
	struct mgr_server_opts opts = { 0 };
	struct mgr_persist_opts data = { .fsync = MGR_FSYNC_ALWAYS };
	struct mgr_persist *persist = NULL;
	const char *check = NULL;
	bool fsync_given = false;
	struct mgr_addr *addrs = NULL, *grown;
	bool *python = NULL, *pgrown, any_python = false;
	const char *keyfile = NULL, *why;
	bool use_stdio = false, daemonize = false, use_relay = false, other = false;
	struct sigaction sa;
	char err[512], *key = NULL, *end;
	size_t nkey = 0, naddrs = 0, i;
	unsigned long long n, max_memory = default_max_memory();
	int opt, status = 1, r;

	while ((opt = getopt_long(argc, argv, "l:dvqh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			other = true;
			grown = realloc(addrs, (naddrs + 1) * sizeof(*addrs));
			if (!grown) {
				fprintf(stderr, "mgrd: out of memory\n");
				goto out;
			}
			addrs = grown;
			pgrown = realloc(python, (naddrs + 1) * sizeof(*python));
			if (!pgrown) {
				fprintf(stderr, "mgrd: out of memory\n");
				goto out;
			}
			python = pgrown;
			python[naddrs] = strncmp(optarg, "python+", 7) == 0;
			any_python |= python[naddrs];
			if (mgr_addr_parse(optarg + (python[naddrs] ? 7 : 0), &addrs[naddrs], &why) < 0) {
				status = usage_error("-l %s: %s", optarg, why);
				goto out;
			}
			naddrs++;
			if (addrs[naddrs - 1].kind != MGR_ADDR_UNIX &&
			    addrs[naddrs - 1].kind != MGR_ADDR_TCP) {
				status = usage_error("-l takes unix:PATH, tcp:HOST:PORT, python+unix:PATH "
						     "or python+tcp:HOST:PORT, not '%s'", optarg);
				goto out;
			}
			break;
		case OPT_AUTHKEY:
			other = true;
			keyfile = optarg;
			break;
		case OPT_STDIO:
			other = true;
			use_stdio = true;
			break;
		case OPT_RELAY:
			use_relay = true;
			break;
		case 'd':
			other = true;
			daemonize = true;
			break;
		case 'v':
			level = MGR_LOG_DEBUG;
			break;
		case 'q':
			level = MGR_LOG_ERROR;
			break;
		case OPT_MAX_FRAME:
			other = true;
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
		case OPT_MAX_MEMORY:
			other = true;
			if (parse_size(optarg, &max_memory) < 0) {
				status = usage_error("--max-memory takes a size in bytes, with K, M or G, not '%s'",
						     optarg);
				goto out;
			}
			break;
		case OPT_DATA_DIR:
			other = true;
			data.dir = optarg;
			break;
		case OPT_FSYNC:
			other = true;
			fsync_given = true;
			if (!strcmp(optarg, "always") || !strcmp(optarg, "everysec") ||
			    !strcmp(optarg, "no")) {
				data.fsync = optarg[0] == 'a' ? MGR_FSYNC_ALWAYS :
					     optarg[0] == 'e' ? MGR_FSYNC_EVERYSEC : MGR_FSYNC_NO;
				break;
			}
			status = usage_error("--fsync takes always, everysec or no, not '%s'", optarg);
			goto out;
		case OPT_REPAIR:
			data.repair = true;
			break;
		case OPT_COMPACT_MIN:
			other = true;
			if (parse_size(optarg, &n) < 0 || n < 4096) {
				status = usage_error("--compact-min takes a size of 4096 bytes or more, with K, M or G, not '%s'",
						     optarg);
				goto out;
			}
			data.compact_min = n;
			break;
		case OPT_CHECK:
			check = optarg;
			break;
		case OPT_NO_IO_URING:
			other = true;
			opts.no_io_uring = true;
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
	if (use_relay && other) {
		status = usage_error("--relay takes no other option than -v or -q");
		goto out;
	}
	if (optind + (use_relay ? 1 : 0) < argc) {
		status = usage_error("unexpected argument '%s'", argv[optind + (use_relay ? 1 : 0)]);
		goto out;
	}
	if (check && (other || use_relay)) {
		status = usage_error("--check takes no other option than --repair");
		goto out;
	}
	if (!check && !data.dir && (fsync_given || data.repair || data.compact_min)) {
		status = usage_error("--fsync, --compact-min and --repair go with --data-dir");
		goto out;
	}
	if (check || data.dir)
		mgrd_data_huge_pages(argv);
	if (check) {
		mgr_log_set(log_stderr, level);
		status = mgrd_data_check(check, data.repair);
		goto out;
	}
	if (daemonize && use_stdio) {
		status = usage_error("--detach and --stdio exclude each other");
		goto out;
	}

	mgr_log_set(log_stderr, level);
	signal(SIGPIPE, SIG_IGN);
	if (use_relay) {
		status = mgrd_relay(optind < argc ? argv[optind] : NULL);
		goto out;
	}
	if (keyfile && load_key(keyfile, &key, &nkey) < 0)
		goto out;
	raise_fd_limit();
	opts.authkey = key;
	opts.authkey_len = nkey;
	opts.max_memory = max_memory;
	if (mgr_server_new(&opts, &the_server, err, sizeof(err)) < 0 ||
	    mgrd_data_start(the_server, &data, &persist, err, sizeof(err)) < 0) {
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
	if (any_python && !key) {
		mgr_log(MGR_LOG_ERROR, "python+ listeners need --authkey-file: Python's clients "
			"always authenticate");
		goto out;
	}
	if (any_python && mgr_pyserve_attach(the_server, key, nkey, err, sizeof(err)) < 0) {
		mgr_log(MGR_LOG_ERROR, "%s", err);
		goto out;
	}
	for (i = 0; i < naddrs; i++) {
		int flags = python[i] ? MGR_LISTEN_PYTHON : key ? MGR_LISTEN_AUTH : 0;

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
	/* What a round still holds is written before the sessions end: what
	 * their end gives back is given back again at the next start. */
	mgr_persist_close(persist);
	mgr_server_free(the_server);
	if (key) {
		OPENSSL_cleanse(key, nkey);
		free(key);
	}
	for (i = 0; i < naddrs; i++)
		mgr_addr_release(&addrs[i]);
	free(addrs);
	free(python);
	return status;
}
