#include "mgrd_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "log.h"

/* How much one splice may move: a pipe's default capacity. */
#define RELAY_CHUNK 65536
/* How much of a failed manager's stderr is kept to show. */
#define START_LOG_MAX 4096

struct pump {
	int in, out;
	int pipe[2];	/* between in and out when neither is a pipe */
	bool copy;	/* splice cannot take one of them */
};

static bool is_pipe(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

static int pump_init(struct pump *p, int in, int out)
{
	p->in = in;
	p->out = out;
	p->pipe[0] = p->pipe[1] = -1;
	/* A terminal (someone trying the relay by hand) or a file opened to
	 * append cannot be spliced to. */
	p->copy = isatty(in) || isatty(out) || (fcntl(out, F_GETFL) & O_APPEND);
	if (p->copy)
		return 0;
	/* splice needs a pipe on one side: stdin and stdout often are (sshd
	 * makes them so), the manager's socket never is. */
	if (!is_pipe(in) && !is_pipe(out) && pipe2(p->pipe, O_CLOEXEC) < 0)
		return -errno;
	return 0;
}

/* For descriptors splice cannot take: the same, through a buffer. */
static int pump_copy(struct pump *p)
{
	char buf[RELAY_CHUNK];
	ssize_t n, m, off;

	for (;;) {
		n = read(p->in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		for (off = 0; off < n; off += m) {
			m = write(p->out, buf + off, n - off);
			if (m < 0 && errno == EINTR)
				m = 0;
			else if (m < 0)
				return -errno;
		}
	}
}

/* Move what p->in gives to p->out until p->in ends (0) or either side
 * fails (-errno). */
static int pump_run(struct pump *p)
{
	struct pollfd pfd = { .fd = p->in, .events = POLLIN };
	int to = p->pipe[1] >= 0 ? p->pipe[1] : p->out;
	bool first = true;
	ssize_t n, m;

	if (p->copy)
		return pump_copy(p);
	for (;;) {
		/* A splice from a socket into a pipe holds the pipe's lock
		 * while it waits for data, and the pipe's reader (ssh's
		 * sshd on stdout) cannot take what is already in it until
		 * more comes.  So it only starts once there is data. */
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		n = splice(p->in, NULL, to, NULL, RELAY_CHUNK, SPLICE_F_MOVE);
		if (n < 0 && errno == EINTR)
			continue;
		/* Nothing has moved yet: the copy can take over. */
		if (n < 0 && errno == EINVAL && first)
			return pump_copy(p);
		if (n <= 0)
			return n < 0 ? -errno : 0;
		first = false;
		/* The pipe is emptied before the next read, so that read
		 * never waits for room in it. */
		while (p->pipe[0] >= 0 && n > 0) {
			m = splice(p->pipe[0], NULL, p->out, NULL, n, SPLICE_F_MOVE);
			if (m < 0 && errno == EINTR)
				continue;
			if (m <= 0)
				return m < 0 ? -errno : -EPIPE;
			n -= m;
		}
	}
}

/* The client's requests, stdin to the manager.  When the client is done
 * sending, so is the manager's side: it then answers what it has and
 * closes, which ends the other direction. */
static void *relay_requests(void *arg)
{
	struct pump *p = arg;

	pump_run(p);
	shutdown(p->out, SHUT_WR);
	return NULL;
}

/* Join stdin and stdout to fd until the manager's side ends.  The exit
 * status. */
static int relay_fds(int fd)
{
	struct pump up, down;
	pthread_t thread;
	sigset_t all, old;
	int r;

	r = pump_init(&up, 0, fd);
	if (r == 0)
		r = pump_init(&down, fd, 1);
	if (r == 0) {
		/* Signals are for the main thread. */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		r = -pthread_create(&thread, NULL, relay_requests, &up);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (r < 0) {
		mgr_log(MGR_LOG_ERROR, "relay: %s", strerror(-r));
		return 1;
	}
	/* The replies.  When the manager's side ends there is nothing more
	 * to relay either way: exiting closes stdout and ends the other
	 * thread. */
	r = pump_run(&down);
	if (r < 0 && r != -EPIPE && r != -ECONNRESET) {
		mgr_log(MGR_LOG_ERROR, "relay: %s", strerror(-r));
		return 1;
	}
	return 0;
}

/* Run "mgrd -d" (this very program) on the default socket and wait until
 * it listens or has failed; what it said goes to *log, shown only if no
 * manager answers after all: the loser of two relays starting managers
 * at once fails to listen and says so, which is no error of ours. */
static int start_default(struct mgr_buf *log)
{
	char self[PATH_MAX], buf[512];
	int pfd[2], null, status;
	ssize_t n, len;
	pid_t pid;

	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len < 0)
		return -errno;
	self[len] = '\0';
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		/* Not ssh's stdin and stdout: the session must be able to
		 * end while the manager lives on. */
		null = open("/dev/null", O_RDWR);
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(pfd[1], 2) < 0)
			_exit(127);
		execl(self, self, "-d", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	/* The pipe ends when the manager has detached (it then puts
	 * /dev/null on its stderr) or failed. */
	while ((n = read(pfd[0], buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (log->len < START_LOG_MAX)
			mgr_buf_append(log, buf, n);
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/* Hold the default socket's directory locked while a manager is looked for
 * and started, so that of two relays starting at once one starts it and
 * the other finds it.  The descriptor to close, or -1 (then unlocked). */
static int lock_socket_dir(const char *path)
{
	char *dir = strdup(path), *slash;
	int fd = -1;

	if (!dir)
		return -1;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		/* mgrd would make it 0700 too; a failure is for it to tell. */
		mkdir(dir, 0700);
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && flock(fd, LOCK_EX) < 0) {
			close(fd);
			fd = -1;
		}
	}
	free(dir);
	return fd;
}

/* Connect to the manager on the default socket, starting one when nobody
 * answers there. */
static int connect_default(void)
{
	struct mgr_buf path = MGR_BUF_INIT, log = MGR_BUF_INIT;
	struct mgr_addr a = { .kind = MGR_ADDR_UNIX };
	char *msg = NULL;
	int fd, lock = -1, r, pid;

	if (mgr_addr_default_socket(&path) < 0) {
		mgr_log(MGR_LOG_ERROR, "relay: out of memory");
		return -ENOMEM;
	}
	a.path = path.data;
	fd = mgr_addr_connect(&a, NULL, -1, &pid, &msg);
	if (fd == -ENOENT || fd == -ECONNREFUSED) {
		lock = lock_socket_dir(a.path);
		/* Another relay may have started one while we waited. */
		free(msg);
		fd = mgr_addr_connect(&a, NULL, -1, &pid, &msg);
	}
	if (fd == -ENOENT || fd == -ECONNREFUSED) {
		r = start_default(&log);
		free(msg);
		fd = r < 0 ? r : mgr_addr_connect(&a, NULL, -1, &pid, &msg);
		if (fd < 0 && log.len)
			fprintf(stderr, "%.*s", (int)log.len, log.data);
		if (r < 0)
			mgr_log(MGR_LOG_ERROR, "relay: cannot start a manager: %s", strerror(-r));
	}
	if (fd < 0 && msg)
		mgr_log(MGR_LOG_ERROR, "relay: %s", msg);
	if (lock >= 0)
		close(lock);
	free(msg);
	mgr_buf_release(&log);
	mgr_buf_release(&path);
	return fd;
}

int mgrd_relay(const char *addr)
{
	struct mgr_addr a;
	const char *why;
	char *msg = NULL;
	int fd, pid;

	if (!addr) {
		fd = connect_default();
		return fd < 0 ? 1 : relay_fds(fd);
	}
	if (mgr_addr_parse(addr, &a, &why) < 0) {
		mgr_log(MGR_LOG_ERROR, "relay: %s: %s", addr, why);
		return 2;
	}
	/* A manager that ends with its connection (exec:) is not waited
	 * for: it has its stdin closed when this process exits. */
	fd = mgr_addr_connect(&a, NULL, -1, &pid, &msg);
	mgr_addr_release(&a);
	if (fd < 0) {
		mgr_log(MGR_LOG_ERROR, "relay: %s", msg ? msg : strerror(-fd));
		free(msg);
		return 1;
	}
	return relay_fds(fd);
}
