/* mgrfs: mount a manager as a tree.
 *
 *   mgrfs [OPTIONS] [ADDR] MOUNTPOINT
 *
 * In the manner of sshfs: it detaches once the tree is mounted (unless -f
 * or -d), and fusermount3 -u unmounts it.  FUSE's own -o options pass
 * through to libfuse. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addr.h"
#include "attr.h"
#include "auth.h"
#include "dir.h"
#include "file.h"
#include "lock.h"
#include "mgrfs.h"
#include "names.h"
#include "notify.h"
#include "posix.h"
#include "proto.h"
#include "queue.h"
#include "spin.h"
#include "writeback.h"
#include "xattr.h"

struct opts {
	char *args[2];		/* [ADDR] MOUNTPOINT, as given */
	int nargs;
	int foreground;
	int debug;
	int help;
	int version;
	char *authkey_file;
	int keepalive;		/* INT_MIN: the address's default */
	int reconnect;
	int wait_link;
	/* How an ssh: address connects; ssh.options is sshopts, a
	 * NULL-terminated list of copies of the -o arguments. */
	struct mgr_ssh_opts ssh;
	char *ssh_command;
	char *mgrd;
	char **sshopts;
	size_t nsshopts;
};

enum {
	KEY_SSH,
	KEY_HELP,
	KEY_VERSION,
	KEY_FOREGROUND,
	KEY_DEBUG,
};

#define OPT(t, p) { t, offsetof(struct opts, p), 1 }

static const struct fuse_opt opt_spec[] = {
	OPT("authkey_file=%s", authkey_file),
	OPT("--authkey-file=%s", authkey_file),
	OPT("--authkey-file %s", authkey_file),
	OPT("keepalive=%d", keepalive),
	OPT("reconnect", reconnect),
	OPT("wait_link", wait_link),
	OPT("ssh_command=%s", ssh_command),
	OPT("mgrd=%s", mgrd),
	FUSE_OPT_KEY("port=", KEY_SSH),
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_KEY("-V", KEY_VERSION),
	FUSE_OPT_KEY("--version", KEY_VERSION),
	FUSE_OPT_KEY("-f", KEY_FOREGROUND),
	FUSE_OPT_KEY("-d", KEY_DEBUG),
	FUSE_OPT_KEY("debug", KEY_DEBUG),
	FUSE_OPT_END
};

static void usage(FILE *f)
{
	fputs("usage: mgrfs [OPTIONS] [ADDR] MOUNTPOINT\n"
	      "Mount the manager at ADDR (unix:PATH, tcp:HOST:PORT, ssh:[USER@]HOST[:ADDR],\n"
	      "exec:COMMAND;\n"
	      "default: $MGRFS_ADDR, else the default local socket) on MOUNTPOINT.\n"
	      "\n"
	      "  -f                      stay in the foreground\n"
	      "  -d, -o debug            print every FUSE request (implies -f)\n"
	      "  -o OPT[,OPT...]         mount options: allow_other, default_permissions,\n"
	      "                          auto_unmount, authkey_file=FILE, and FUSE's own\n"
	      "  -o keepalive=SECS       ping an idle link every SECS (default 10 for tcp:\n"
	      "                          and ssh:, 0 = none); dead after 3*SECS of silence\n"
	      "  -o reconnect            connect again, with backoff, after the link breaks\n"
	      "  -o wait_link            with reconnect: calls wait for the link instead of\n"
	      "                          failing with ENOTCONN\n"
	      "  -o ssh_command=CMD, port=N, mgrd=PATH, Key=Value (any of ssh's options)\n"
	      "                          how an ssh: address connects\n"
	      "  --authkey-file FILE     the key for a manager that asks for one\n"
	      "  -h, --help              this help\n"
	      "  -V, --version           the version\n"
	      "\n"
	      "Unmount with: fusermount3 -u MOUNTPOINT.  See mgrfs(1) and mgrfs(7).\n", f);
}

/* Keep an ssh option for the connection: 0, or -1 with the reason said. */
static int add_ssh_option(struct opts *o, const char *arg)
{
	const char *why;
	char **grown;

	if (mgr_ssh_option_check(arg, &why) < 0) {
		fprintf(stderr, "mgrfs: -o %s: %s\n", arg, why);
		return -1;
	}
	grown = realloc(o->sshopts, (o->nsshopts + 2) * sizeof(*grown));
	if (!grown)
		return -1;
	o->sshopts = grown;
	grown[o->nsshopts] = strdup(arg);
	if (!grown[o->nsshopts])
		return -1;
	grown[++o->nsshopts] = NULL;
	return 0;
}

static int opt_proc(void *data, const char *arg, int key, struct fuse_args *out)
{
	struct opts *o = data;

	switch (key) {
	case FUSE_OPT_KEY_NONOPT:
		if (o->nargs == 2) {
			fprintf(stderr, "mgrfs: too many arguments: %s\n", arg);
			return -1;
		}
		o->args[o->nargs++] = strdup(arg);
		return 0;
	case KEY_SSH:
		return add_ssh_option(o, arg);
	case FUSE_OPT_KEY_OPT:
		/* ssh's options are capitalised, FUSE's are not. */
		if (arg[0] >= 'A' && arg[0] <= 'Z' && strchr(arg, '='))
			return add_ssh_option(o, arg);
		return 1;
	case KEY_HELP:
		o->help = 1;
		return 0;
	case KEY_VERSION:
		o->version = 1;
		return 0;
	case KEY_FOREGROUND:
		o->foreground = 1;
		return 0;
	case KEY_DEBUG:
		/* libfuse prints the requests when it sees it too. */
		o->debug = o->foreground = 1;
		return 1;
	default:
		return 1;
	}
}

/* Detach: the parent waits until the child reports that the tree is
 * mounted (0) or failed (1), and exits with that, so that a script can
 * use the mount as soon as mgrfs returns.  Returns the descriptor the
 * child reports on. */
static int detach(void)
{
	int pfd[2];
	char status = 1;
	pid_t pid;

	if (pipe(pfd) < 0) {
		perror("mgrfs: pipe");
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		perror("mgrfs: fork");
		exit(1);
	}
	if (pid > 0) {
		close(pfd[1]);
		if (read(pfd[0], &status, 1) != 1)
			status = 1;
		_exit(status);
	}
	close(pfd[0]);
	setsid();
	return pfd[1];
}

/* Tell the waiting parent how it went, and leave the terminal. */
static void report(int fd, char status)
{
	int null;

	if (fd < 0)
		return;
	if (status == 0) {
		null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			if (null > 2)
				close(null);
		}
		if (chdir("/") < 0)
			status = 1;
	}
	if (write(fd, &status, 1) != 1)
		status = 1;
	close(fd);
}

/* Where the link's news goes: stderr, or syslog once detached. */
static bool to_syslog;

static void say(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (to_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		fputs("mgrfs: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

/* The link broke: changes may go unheard, and the session's locks are
 * gone (see lock.c). */
static void new_epoch(struct mgrfs *fs)
{
	pthread_mutex_lock(&fs->lock);
	fs->epoch++;
	pthread_mutex_unlock(&fs->lock);
}

static void on_close(void *arg, int err)
{
	struct mgrfs *fs = arg;

	new_epoch(fs);
	say(LOG_ERR, "the connection to the manager ended (%s); calls now fail with ENOTCONN",
	    strerror(-err));
}

static void on_link(void *arg, int err)
{
	struct mgrfs *fs = arg;
	struct mgr_req r;

	if (err < 0) {
		new_epoch(fs);
		say(LOG_WARNING, "the link to the manager broke (%s); connecting again",
		    strerror(-err));
		return;
	}
	/* A new session: it follows the changes again, and what the kernel
	 * kept from before the outage may be stale. */
	err = mgr_req_init(&r, "subscribe", NULL);
	if (!err)
		err = mgr_json_kv_str(r.g, "path", "");
	if (!err)
		err = mgr_client_call_async(fs->client, &r, NULL, NULL, NULL);
	mgr_req_release(&r);
	fs_notify_all(fs);
	if (err)
		say(LOG_ERR, "the link to the manager is back, but changes cannot be followed: %s",
		    strerror(-err));
	else
		say(LOG_NOTICE, "the link to the manager is back");
}

/* Connect to the manager at addr (NULL: the default socket).  On failure
 * *msg says why (the caller frees it). */
static int connect_manager(struct mgrfs *fs, const char *addr, const struct opts *o,
			   const char *keyfile, char **msg)
{
	struct mgr_client_opts co = {
		.flags = MGR_CLIENT_DEFER,
		.on_event = fs_notify_event,
		.on_close = on_close,
		.on_link = on_link,
		.arg = fs,
		.keepalive = o->keepalive,
		.ssh = &o->ssh,
	};
	const char *kerr;
	char *key = NULL, *err = NULL;
	size_t keylen = 0;
	int r;

	*msg = NULL;
	/* Reconnecting is the client's I/O thread's work; then that thread
	 * hears the events, and no content is kept. */
	if (o->reconnect)
		co.flags = MGR_CLIENT_THREAD | MGR_CLIENT_RECONNECT;
	if (o->wait_link)
		co.flags |= MGR_CLIENT_WAIT_LINK;
	fs->cache = !o->reconnect;
	if (keyfile && *keyfile) {
		r = mgr_auth_read_key(keyfile, &key, &keylen, &kerr);
		if (r < 0) {
			if (asprintf(msg, "%s: %s", keyfile, kerr) < 0)
				*msg = NULL;
			return r;
		}
		co.authkey = key;
		co.authkey_len = keylen;
	}
	r = mgr_client_connect(addr, &co, &fs->client, &err);
	if (key) {
		explicit_bzero(key, keylen);
		free(key);
	}
	if (r < 0)
		*msg = err;
	return r;
}

/* The mgrd to start: $MGRD, else the one installed beside mgrfs (or, in
 * the build tree, in ../tools), else mgrd on the PATH.  The caller frees
 * the result. */
static char *mgrd_program(void)
{
	static const char *const beside[] = { "mgrd", "../tools/mgrd" };
	char self[PATH_MAX], *slash, *prog;
	ssize_t n;
	size_t i;

	if (getenv("MGRD") && *getenv("MGRD"))
		return strdup(getenv("MGRD"));
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	slash = n > 0 ? memrchr(self, '/', n) : NULL;
	for (i = 0; slash && i < sizeof(beside) / sizeof(*beside); i++) {
		if (asprintf(&prog, "%.*s/%s", (int)(slash - self), self, beside[i]) < 0)
			break;
		if (access(prog, X_OK) == 0)
			return prog;
		free(prog);
	}
	return strdup("mgrd");
}

/* No manager answers on the default socket: start one, as
 * multiprocessing.Manager() starts its server, and connect to it.  It
 * lives as long as this mount (it gets SIGTERM when mgrfs ends, even
 * killed).  Its pid goes to *pid. */
static int start_manager(struct mgrfs *fs, const struct opts *o, const char *keyfile, pid_t *pid)
{
	char *prog = mgrd_program();
	char *msg = NULL;
	int i, r = -ENOMEM, null;

	if (!prog)
		return r;
	*pid = fork();
	if (*pid < 0) {
		r = -errno;
		free(prog);
		return r;
	}
	if (*pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		setsid();
		execlp(prog, prog, (char *)NULL);
		_exit(127);
	}
	/* It answers once its socket listens. */
	for (i = 0; i < 400; i++) {
		free(msg);
		r = connect_manager(fs, NULL, o, keyfile, &msg);
		if (r == 0 || (r != -ENOENT && r != -ECONNREFUSED))
			break;
		if (waitpid(*pid, NULL, WNOHANG) == *pid) {
			*pid = 0;
			break;
		}
		usleep(25000);
	}
	if (r < 0 && (r == -ENOENT || r == -ECONNREFUSED))
		fprintf(stderr, "mgrfs: no manager on the default socket, and %s did not "
			"start one\n", prog);
	else if (r < 0)
		fprintf(stderr, "mgrfs: %s\n", msg ? msg : strerror(-r));
	free(msg);
	free(prog);
	return r;
}

/* Every change in the manager comes as an event (see notify.c). */
static int subscribe(struct mgrfs *fs)
{
	struct mgr_reply rep;
	struct mgr_req r;
	int err;

	err = mgr_req_init(&r, "subscribe", NULL);
	if (!err)
		err = mgr_json_kv_str(r.g, "path", "");
	if (!err)
		err = mgr_client_call(fs->client, &r, &rep);
	mgr_req_release(&r);
	if (!err) {
		err = rep.err;
		mgr_reply_release(&rep);
	}
	if (err)
		fprintf(stderr, "mgrfs: cannot follow the manager's changes: %s\n",
			strerror(-err));
	return err;
}

/* poll, polling briefly before sleeping (spin.h), as mgrd does: the
 * next request or reply is often only microseconds away, and waking a
 * sleeping thread costs more than that, most of all in a virtual machine. */
static int wait_ready(struct pollfd pfd[2], int timeout, struct mgr_spin *spin)
{
	uint64_t until;
	int n;

	if (mgr_spin_begin(spin)) {
		until = mgr_spin_now() + MGR_SPIN_NS;
		do
			n = poll(pfd, 2, 0);
		while (n == 0 && mgr_spin_now() < until);
		mgr_spin_end(spin, n != 0);
		if (n)
			return n;
	}
	return poll(pfd, 2, timeout);
}

/* The loop: one thread reads both the kernel's requests and the manager's
 * replies and events, so that a request answered by the manager costs no
 * hand-over between threads, and an event is always handled before a
 * request that came after it (see file.c's cache_open).  Handlers never
 * wait: what waits is a parked request.  Returns 0 when the tree was
 * unmounted or a signal ended it. */
static int serve(struct mgrfs *fs)
{
	struct fuse_buf buf = { .mem = NULL };
	/* A client with an I/O thread of its own (-o reconnect) is not
	 * polled here. */
	struct pollfd pfd[2] = {
		{ .fd = fuse_session_fd(fs->se), .events = POLLIN },
		{ .fd = fs->cache ? mgr_client_fd(fs->client) : -1, .events = POLLIN },
	};
	struct mgr_spin spin = { 0 };
	int r = 0, fl, n;

	/* A request the kernel withdrew (its caller was killed) would leave
	 * a read after poll waiting. */
	fl = fcntl(pfd[0].fd, F_GETFL);
	if (fl < 0 || fcntl(pfd[0].fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	while (!fuse_session_exited(fs->se)) {
		/* A keepalive needs the client's attention when the link is
		 * quiet too. */
		n = wait_ready(pfd, pfd[1].fd >= 0 ? mgr_client_timeout(fs->client) : -1,
			       &spin);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		/* Once the connection is over, calls fail at once and
		 * nothing more comes from it. */
		if (pfd[1].fd >= 0 && (pfd[1].revents || n == 0) &&
		    mgr_client_dispatch(fs->client) < 0)
			pfd[1].fd = -1;
		if (!pfd[0].revents)
			continue;
		r = fuse_session_receive_buf(fs->se, &buf);
		if (r == -EINTR || r == -EAGAIN) {
			r = 0;
			continue;
		}
		if (r <= 0)
			break;
		fuse_session_process_buf(fs->se, &buf);
		r = 0;
		/* Replies read while requests were written wait in the
		 * client: the socket would not wake poll for them. */
		if (pfd[1].fd >= 0 && mgr_client_pending(fs->client) &&
		    mgr_client_dispatch(fs->client) < 0)
			pfd[1].fd = -1;
	}
	free(buf.mem);
	fuse_session_reset(fs->se);
	return r;
}

/* -o subtype and fsname, unless given: mount(8) and df show them. */
static int add_names(struct fuse_args *args, const char *addr)
{
	char *opt = NULL;
	int r, i;

	for (i = 0; i < args->argc; i++)
		if (strstr(args->argv[i], "fsname=") || strstr(args->argv[i], "subtype="))
			return 0;
	r = fuse_opt_add_arg(args, "-osubtype=mgrfs");
	if (r == 0 && fuse_opt_add_opt_escaped(&opt, addr) == 0) {
		char *o = malloc(strlen(opt) + 10);

		if (o) {
			sprintf(o, "-ofsname=%s", opt);
			r = fuse_opt_add_arg(args, o);
			free(o);
		}
	}
	free(opt);
	return r;
}

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_lowlevel_ops ops;
	struct opts o = { .keepalive = INT_MIN };
	struct mgrfs fs;
	const char *addr, *keyfile;
	char *mnt = NULL, *msg = NULL;
	int status = 1, rfd = -1, r;
	size_t i;
	pid_t mgrd = 0;
	bool nodes = false, mounted = false, handlers = false;

	memset(&fs, 0, sizeof(fs));
	/* A file is moved in pieces of up to a megabyte, each in buffers
	 * of that size made and freed: kept in the heap, and the heap kept,
	 * they cost no page faults each (dear in a virtual machine). */
	mallopt(M_MMAP_THRESHOLD, 16 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	if (fuse_opt_parse(&args, &o, opt_spec, opt_proc) < 0)
		return 2;
	if (o.help) {
		usage(stdout);
		status = 0;
		goto out;
	}
	if (o.version) {
		printf("mgrfs %s, libfuse %s\n", MGR_VERSION, fuse_pkgversion());
		status = 0;
		goto out;
	}
	if (o.nargs == 0) {
		usage(stderr);
		status = 2;
		goto out;
	}
	addr = o.nargs == 2 ? o.args[0] : getenv("MGRFS_ADDR");
	if (addr && !*addr)
		addr = NULL;
	keyfile = o.authkey_file ? o.authkey_file : getenv("MGRFS_AUTHKEY_FILE");
	/* A remote peer can vanish without a word; a local one cannot. */
	if (o.keepalive == INT_MIN)
		o.keepalive = addr && (!strncmp(addr, "tcp:", 4) || !strncmp(addr, "ssh:", 4)) ?
			      MGR_KEEPALIVE_REMOTE : 0;
	o.ssh.command = o.ssh_command;
	o.ssh.mgrd = o.mgrd;
	o.ssh.options = (const char *const *)o.sshopts;
	if ((o.nsshopts || o.ssh_command || o.mgrd) && (!addr || strncmp(addr, "ssh:", 4))) {
		fprintf(stderr, "mgrfs: ssh options are for ssh: addresses\n");
		status = 2;
		goto out;
	}
	if (o.keepalive < 0 || o.keepalive > MGR_KEEPALIVE_MAX || (o.wait_link && !o.reconnect)) {
		if (o.wait_link && !o.reconnect)
			fprintf(stderr, "mgrfs: -o wait_link needs -o reconnect\n");
		else
			fprintf(stderr, "mgrfs: -o keepalive takes 0 to %d seconds\n",
				MGR_KEEPALIVE_MAX);
		status = 2;
		goto out;
	}
	/* Detaching changes directory: the mount point is made absolute. */
	mnt = realpath(o.args[o.nargs - 1], NULL);
	if (!mnt) {
		fprintf(stderr, "mgrfs: %s: %s\n", o.args[o.nargs - 1], strerror(errno));
		goto out;
	}
	if (add_names(&args, addr ? addr : "mgrfs") < 0)
		goto out;

	if (!o.foreground)
		rfd = detach();

	fs.uid = getuid();
	fs.gid = getgid();
	pthread_mutex_init(&fs.lock, NULL);
	if (fs_nodes_init(&fs.nodes) < 0) {
		fputs("mgrfs: out of memory\n", stderr);
		goto out;
	}
	nodes = true;

	memset(&ops, 0, sizeof(ops));
	fs_attr_ops(&ops);
	fs_file_ops(&ops);
	fs_names_ops(&ops);
	fs_writeback_ops(&ops);
	fs_dir_ops(&ops);
	fs_xattr_ops(&ops);
	fs_queue_ops(&ops);
	fs_lock_ops(&ops);
	fs_posix_ops(&ops);
	fs.se = fuse_session_new(&args, &ops, sizeof(ops), &fs);
	if (!fs.se)
		goto out;
	if (fuse_set_signal_handlers(fs.se) < 0)
		goto out;
	handlers = true;
	/* The notifier is up before the first event can come. */
	if (fs_notify_start(&fs) < 0) {
		fputs("mgrfs: cannot start a thread\n", stderr);
		goto out;
	}
	r = connect_manager(&fs, addr, &o, keyfile, &msg);
	if (r < 0 && !addr && (r == -ENOENT || r == -ECONNREFUSED))
		r = start_manager(&fs, &o, keyfile, &mgrd);
	else if (r < 0)
		fprintf(stderr, "mgrfs: %s\n", msg ? msg : strerror(-r));
	free(msg);
	if (r < 0)
		goto out;
	if (subscribe(&fs) < 0)
		goto out;
	if (fuse_session_mount(fs.se, mnt) < 0)
		goto out;
	mounted = true;

	report(rfd, 0);
	if (rfd >= 0) {
		openlog("mgrfs", LOG_PID, LOG_DAEMON);
		to_syslog = true;
	}
	rfd = -1;
	status = serve(&fs) < 0 ? 1 : 0;
out:
	report(rfd, 1);
	if (mounted)
		fuse_session_unmount(fs.se);
	/* The client goes first: no callback or event runs after this. */
	mgr_client_free(fs.client);
	fs_notify_stop(&fs);
	if (handlers)
		fuse_remove_signal_handlers(fs.se);
	if (fs.se)
		fuse_session_destroy(fs.se);
	if (nodes)
		fs_nodes_release(&fs.nodes);
	if (mgrd > 0) {
		kill(mgrd, SIGTERM);
		waitpid(mgrd, NULL, 0);
	}
	fuse_opt_free_args(&args);
	for (i = 0; i < o.nsshopts; i++)
		free(o.sshopts[i]);
	free(o.sshopts);
	free(o.ssh_command);
	free(o.mgrd);
	free(mnt);
	free(o.args[0]);
	free(o.args[1]);
	free(o.authkey_file);
	return status;
}
