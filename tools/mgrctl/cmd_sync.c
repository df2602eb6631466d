/* Synchronisation that is more than one request: waits and notifies that
 * depend on the object's type (a Condition is used under its own lock),
 * and the commands that run a program while holding something, "lock"
 * (as flock(1) does) and "wait-for" (Condition.wait_for with the program
 * as the predicate). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mgrctl.h"

/* A Condition is used under its own lock: mgrctl takes it (again, if a
 * batch already holds it: the lock is reentrant), runs op, and gives it
 * back.  The acquire, op and release share one deadline.  *result gets
 * op's result in a reply the caller releases. */
static int cond_op(struct sess *s, const struct opts *o, const char *op, const char *path,
		   int64_t n, struct mgr_reply *result)
{
	double deadline = sess_deadline(o);
	int st, rst;

	st = sess_acquire(s, o, path, deadline);
	if (st)
		return st;
	st = sess_call_op(s, o, op, path, deadline, n, result);
	rst = sess_release(s, o, path);
	if (rst && !st)
		mgr_reply_release(result);
	return st ? st : rst;
}

int cmd_wait(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	     char **argv)
{
	struct mgr_reply rep;
	char type[32];
	int st;

	st = sess_stat_type(s, o, argv[0], type, sizeof(type));
	if (st)
		return st;
	if (!strcmp(type, "condition"))
		st = cond_op(s, o, "wait", argv[0], -1, &rep);
	else
		st = sess_call_op(s, o, "wait", argv[0], sess_deadline(o), -1, &rep);
	if (st)
		return st;
	st = print_wait(o, rep.result);
	mgr_reply_release(&rep);
	return st;
}

int cmd_notify(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	       char **argv)
{
	struct mgr_reply rep;
	char type[32];
	int64_t n = -1;
	int st;

	if (argc > 1 && (opts_parse_i64(argv[1], strlen(argv[1]), &n) < 0 || n < 0))
		return sess_usage_err(s, cmd, "not a count: '%s'", argv[1]);
	st = sess_stat_type(s, o, argv[0], type, sizeof(type));
	if (st)
		return st;
	/* Anything else gets the manager's answer to the bare op. */
	if (!strcmp(type, "condition"))
		st = cond_op(s, o, cmd->op, argv[0], n, &rep);
	else
		st = sess_call_op(s, o, cmd->op, argv[0], 0, n, &rep);
	if (st)
		return st;
	st = print_out(o, OUT_NONE, rep.result);
	mgr_reply_release(&rep);
	return st;
}

/* Running a command while holding something. */

static volatile sig_atomic_t child_pid;
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP };
#define NFORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

static void forward_signal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	/* A signal typed at the terminal already reaches the whole foreground
	 * process group, the command included; passing it on would deliver
	 * it twice. */
	if (child_pid > 0 && si->si_code != SI_KERNEL)
		kill(child_pid, sig);
	errno = saved;
}

/* Wait for the command (its pidfd becomes readable), answering the
 * manager's keepalive meanwhile and watching the connection: when it ends,
 * what the session held is gone, and that is said at once, while the
 * command still runs.  True when it ended. */
static bool watch_command(struct sess *s, int pidfd, const char *held)
{
	struct pollfd pfd[2] = {
		{ .fd = pidfd, .events = POLLIN },
		{ .fd = mgr_client_fd(s->client), .events = POLLIN },
	};
	bool lost = s->closed != 0;
	int r, err;

	while (!pfd[0].revents) {
		r = poll(pfd, lost ? 1 : 2, lost ? -1 : mgr_client_timeout(s->client));
		if (r < 0 && errno != EINTR)
			break;
		if (lost || pfd[0].revents)
			continue;
		err = mgr_client_dispatch(s->client);
		if (err < 0 || s->closed) {
			lost = true;
			err = err < 0 ? err : s->closed;
			sess_fail(s, err, "the connection to the manager ended: %s is no "
				  "longer held, and the command runs on without it", held);
		}
	}
	return lost;
}

/* Run argv to its end, passing on SIGINT, SIGTERM and SIGHUP.  Returns its
 * exit status (128 + N when killed by signal N), 126 or 127 when it could
 * not be run (said on stderr), or -1 when no process could be made.  It
 * runs while the session holds held (a path, for messages); *lost is set
 * when the connection ended meanwhile.  With keep set the command inherits
 * the session's connection, as flock(1)'s command inherits its lock: the
 * session, and what it holds, end when both mgrctl and the command are
 * gone.  Over a link with keepalive a dead mgrctl stops pinging and the
 * manager ends the session all the same, so the command is taken down
 * with mgrctl instead (SIGTERM, as mgrctl would pass on). */
static int run_command(struct sess *s, char **argv, const char *held, bool keep, bool *lost)
{
	struct sigaction sa, old[NFORWARDED];
	sigset_t block, prev;
	int pipefd[2], status, child_errno, st, conn = mgr_client_fd(s->client);
	bool keepalive = mgr_client_timeout(s->client) >= 0;
	pid_t pid, parent = getpid();
	size_t i;
	ssize_t n;

	*lost = false;
	fflush(stdout);
	fflush(stderr);
	/* A close-on-exec pipe tells an exec failure from a command that
	 * ran and exited 127: wait-for must not loop on a typo. */
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		sess_fail(s, errno, "pipe: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (i = 0; i < NFORWARDED; i++)
		sigaddset(&block, forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &prev);
	/* A signal that mgrctl was started to ignore (as "&" does with
	 * SIGINT) stays ignored, for the command too. */
	for (i = 0; i < NFORWARDED; i++)
		if (sigaction(forwarded[i], NULL, &old[i]) == 0 && old[i].sa_handler != SIG_IGN)
			sigaction(forwarded[i], &sa, NULL);
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < NFORWARDED; i++)
			sigaction(forwarded[i], &old[i], NULL);
		sigprocmask(SIG_SETMASK, &prev, NULL);
		close(pipefd[0]);
		/* session.c makes the connection close-on-exec, so that
		 * nothing else mgrctl runs keeps it. */
		if (keep && conn >= 0 && fcntl(conn, F_SETFD, 0) < 0)
			_exit(126);
		/* mgrctl may have died before this took hold. */
		if (keep && keepalive &&
		    (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent))
			_exit(126);
		/* Inside batch, standard input holds the lines still to
		 * come: the command must not eat them. */
		if (s->in_batch) {
			int null = open("/dev/null", O_RDONLY);

			if (null < 0 || (null != 0 && dup2(null, 0) < 0))
				_exit(126);
			if (null != 0)
				close(null);
		}
		execvp(argv[0], argv);
		child_errno = errno;
		if (write(pipefd[1], &child_errno, sizeof(child_errno)) < 0)
			_exit(127);
		_exit(child_errno == ENOENT ? 127 : 126);
	}
	child_pid = pid > 0 ? pid : 0;
	sigprocmask(SIG_SETMASK, &prev, NULL);
	close(pipefd[1]);
	if (pid < 0) {
		sess_fail(s, errno, "fork: %s", strerror(errno));
		st = -1;
		goto out;
	}
	do
		n = read(pipefd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

		if (pidfd >= 0) {
			*lost = watch_command(s, pidfd, held);
			close(pidfd);
		}
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			sess_fail(s, errno, "waitpid: %s", strerror(errno));
			st = -1;
			goto out;
		}
	}
	if (n == sizeof(child_errno)) {
		sess_fail(s, child_errno, "%s: %s", argv[0], strerror(child_errno));
		st = child_errno == ENOENT ? 127 : 126;
	} else {
		st = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
out:
	child_pid = 0;
	for (i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &old[i], NULL);
	close(pipefd[0]);
	return st;
}

/* What lock takes is given back after the command.  A lock lost on the
 * way, with the session (said on stderr), fails a command that succeeded:
 * whoever relied on its status must know that it did not run alone to its
 * end.  The manager refusing the release is only reported, as a Lock may
 * have been released by anyone meanwhile (the command itself, even). */
int cmd_lock(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	     char **argv)
{
	bool lost;
	int st;

	st = sess_acquire(s, o, argv[0], sess_deadline(o));
	if (st)
		return st;
	st = run_command(s, argv + 1, argv[0], true, &lost);
	if (!lost && sess_release(s, o, argv[0]) && s->closed)
		lost = true;
	if (st < 0 || (lost && st == 0))
		return ST_ERR;
	return st;
}

/* Condition.wait_for with "COMMAND exits 0" as the predicate: evaluated
 * under the condition's lock, first at once and again after each
 * notification, until it holds or the timeout is spent. */
int cmd_wait_for(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
		 char **argv)
{
	struct mgr_reply rep;
	double deadline = sess_deadline(o);
	char type[32];
	bool lost;
	int st, rc;

	st = sess_stat_type(s, o, argv[0], type, sizeof(type));
	if (st)
		return st;
	if (strcmp(type, "condition"))
		return sess_fail(s, ENOTSUP, "%s is not a condition (its type is %s)", argv[0],
				 type);
	st = sess_acquire(s, o, argv[0], deadline);
	if (st)
		return st;
	for (;;) {
		rc = run_command(s, argv + 1, argv[0], false, &lost);
		/* Said already; there is nothing left to give back. */
		if (lost)
			return ST_ERR;
		if (rc == 0) {
			st = ST_OK;
			break;
		}
		if (rc < 0 || rc == 126 || rc == 127) {
			st = ST_ERR;
			break;
		}
		if (deadline && sess_now() >= deadline) {
			st = ST_TIMEOUT;
			break;
		}
		/* A wait that times out is not the end: the predicate is
		 * asked once more, as Python does. */
		st = sess_call_op(s, o, "wait", argv[0], deadline, -1, &rep);
		if (st == ST_ERR)
			break;
		if (!st)
			mgr_reply_release(&rep);
	}
	if (sess_release(s, o, argv[0]) && !st)
		st = ST_ERR;
	return st;
}
