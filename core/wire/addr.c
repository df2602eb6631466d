/* Manager addresses: parsing the one spelling every program accepts, finding
 * the default socket, and opening a connection to an address. */
#include "addr.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int dup_str(char **out, const char *s, size_t len)
{
	*out = strndup(s, len);
	return *out ? 0 : -ENOMEM;
}

static bool all_digits(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Split "HOST" or "[V6]" at the start of s.  The host runs to the first ':'
 * (or the end); a bracketed one to its ']'.  *rest is left at what follows
 * the host, which is '\0' or ':'. */
static int parse_host(const char *s, char **host, const char **rest, const char **err)
{
	const char *end;

	if (*s == '[') {
		end = strchr(s, ']');
		if (!end) {
			*err = "unclosed '[' in host";
			return -EINVAL;
		}
		if (end == s + 1) {
			*err = "empty host";
			return -EINVAL;
		}
		if (end[1] != '\0' && end[1] != ':') {
			*err = "junk after ']' in host";
			return -EINVAL;
		}
		*rest = end + 1;
		return dup_str(host, s + 1, end - s - 1);
	}
	end = s + strcspn(s, ":[]");
	if (*end == '[' || *end == ']') {
		*err = "an IPv6 host is written in brackets, as [::1]";
		return -EINVAL;
	}
	if (end == s) {
		*err = "empty host";
		return -EINVAL;
	}
	*rest = end;
	return dup_str(host, s, end - s);
}

static int parse_tcp(const char *s, struct mgr_addr *a, const char **err)
{
	const char *rest;
	size_t plen;
	int r;

	r = parse_host(s, &a->host, &rest, err);
	if (r < 0)
		return r;
	if (*rest != ':') {
		*err = "tcp: needs HOST:PORT";
		return -EINVAL;
	}
	rest++;
	plen = strlen(rest);
	if (strchr(rest, ':')) {
		*err = "an IPv6 host is written in brackets, as tcp:[::1]:PORT";
		return -EINVAL;
	}
	if (!all_digits(rest, plen) || plen > 5 || atol(rest) > 65535) {
		*err = "tcp: the port is a number from 0 to 65535";
		return -EINVAL;
	}
	return dup_str(&a->port, rest, plen);
}

/* [USER@]HOST[:ADDR]: the user ends at an '@' met before the host ends, and
 * the address on that host is everything after the host's ':'. */
static int parse_ssh(const char *s, struct mgr_addr *a, const char **err)
{
	const char *at = s + strcspn(s, "@:[");
	const char *rest;
	int r;

	if (*at == '@') {
		if (at == s) {
			*err = "ssh: empty user name before '@'";
			return -EINVAL;
		}
		r = dup_str(&a->user, s, at - s);
		if (r < 0)
			return r;
		s = at + 1;
	}
	r = parse_host(s, &a->host, &rest, err);
	if (r < 0)
		return r;
	if (*rest == ':') {
		if (rest[1] == '\0') {
			*err = "ssh: empty address after HOST:";
			return -EINVAL;
		}
		return dup_str(&a->remote, rest + 1, strlen(rest + 1));
	}
	return 0;
}

int mgr_addr_parse(const char *s, struct mgr_addr *out, const char **err)
{
	int r;

	memset(out, 0, sizeof(*out));
	if (!s || !*s) {
		*err = "empty address";
		return -EINVAL;
	}
	if (!strncmp(s, "unix:", 5)) {
		out->kind = MGR_ADDR_UNIX;
		if (!s[5]) {
			*err = "unix: needs a socket path";
			return -EINVAL;
		}
		r = dup_str(&out->path, s + 5, strlen(s + 5));
	} else if (!strncmp(s, "tcp:", 4)) {
		out->kind = MGR_ADDR_TCP;
		r = parse_tcp(s + 4, out, err);
	} else if (!strncmp(s, "exec:", 5)) {
		out->kind = MGR_ADDR_EXEC;
		if (!s[5 + strspn(s + 5, " \t")]) {
			*err = "exec: needs a command";
			return -EINVAL;
		}
		r = dup_str(&out->command, s + 5, strlen(s + 5));
	} else if (!strncmp(s, "ssh:", 4)) {
		out->kind = MGR_ADDR_SSH;
		r = parse_ssh(s + 4, out, err);
	} else if (strchr(s, '/')) {
		out->kind = MGR_ADDR_UNIX;
		r = dup_str(&out->path, s, strlen(s));
	} else {
		*err = "not an address: expected unix:PATH, tcp:HOST:PORT, "
		       "exec:COMMAND, ssh:[USER@]HOST[:ADDR] or a path with '/'";
		return -EINVAL;
	}
	if (r == -ENOMEM)
		*err = "out of memory";
	if (r < 0)
		mgr_addr_release(out);
	return r;
}

void mgr_addr_release(struct mgr_addr *a)
{
	free(a->path);
	free(a->host);
	free(a->port);
	free(a->command);
	free(a->user);
	free(a->remote);
	memset(a, 0, sizeof(*a));
}

/* An environment variable, treating an empty one as unset. */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* The default socket's directories and name: $XDG_RUNTIME_DIR/mgrfs, else
 * /tmp/mgrfs-UID; both belong to mgrfs alone. */
#define XDG_DIR "/mgrfs"
#define TMP_DIR "/tmp/mgrfs-%u"
#define SOCKET_NAME "/socket"

int mgr_addr_default_socket(struct mgr_buf *out)
{
	char tmp[64];
	const char *v, *parts[2] = { NULL, "" };
	size_t i, n;
	int r;

	if ((v = env("MGRFS_SOCKET"))) {
		parts[0] = v;
	} else if ((v = env("XDG_RUNTIME_DIR"))) {
		parts[0] = v;
		parts[1] = XDG_DIR SOCKET_NAME;
	} else {
		snprintf(tmp, sizeof(tmp), TMP_DIR SOCKET_NAME, (unsigned)getuid());
		parts[0] = tmp;
	}
	for (i = 0; i < 2; i++) {
		r = mgr_buf_append(out, parts[i], strlen(parts[i]));
		if (r < 0)
			return r;
	}
	/* The NUL is kept out of len so that out stays a plain string. */
	n = out->len;
	r = mgr_buf_append(out, "", 1);
	if (r < 0)
		return r;
	out->len = n;
	return 0;
}

/* The address as the user would write it, for messages. */
static void addr_name(const struct mgr_addr *a, char *buf, size_t len)
{
	switch (a->kind) {
	case MGR_ADDR_UNIX:
		snprintf(buf, len, "unix:%s", a->path);
		break;
	case MGR_ADDR_TCP:
		snprintf(buf, len, strchr(a->host, ':') ? "tcp:[%s]:%s" : "tcp:%s:%s",
			 a->host, a->port);
		break;
	case MGR_ADDR_EXEC:
		snprintf(buf, len, "exec:%s", a->command);
		break;
	case MGR_ADDR_SSH:
		snprintf(buf, len, strchr(a->host, ':') ? "ssh:%s%s[%s]%s%s" : "ssh:%s%s%s%s%s",
			 a->user ? a->user : "", a->user ? "@" : "", a->host,
			 a->remote ? ":" : "", a->remote ? a->remote : "");
		break;
	}
}

/* Fail with -err and a message "cannot connect to ADDR: REASON". */
static int fail(const struct mgr_addr *a, int err, const char *reason, char **msg)
{
	char name[512];
	const char *hint = "";

	if ((err == ENOENT || err == ECONNREFUSED) &&
	    (a->kind == MGR_ADDR_UNIX || a->kind == MGR_ADDR_TCP))
		hint = "; is mgrd running?";
	addr_name(a, name, sizeof(name));
	if (asprintf(msg, "cannot connect to %s: %s%s", name,
		     reason ? reason : strerror(err), hint) < 0)
		*msg = NULL;
	return -err;
}

/* Whether path is the socket of dir, the first n bytes of a buffer of
 * len (what snprintf made of it). */
static bool socket_of(const char *path, const char *dir, int n, size_t len)
{
	return n > 0 && (size_t)n < len && !strncmp(path, dir, n) &&
	       !strcmp(path + n, SOCKET_NAME);
}

/* The directory of path when path is the default socket in a place that
 * belongs to mgrfs ($XDG_RUNTIME_DIR/mgrfs/socket or /tmp/mgrfs-UID/socket,
 * however the caller came by it), copied into dir; else false.  A socket
 * the user named ($MGRFS_SOCKET, unix:PATH elsewhere) is taken as it is. */
static bool private_default(const char *path, char *dir, size_t len)
{
	const char *xdg = env("XDG_RUNTIME_DIR");

	if (socket_of(path, dir, snprintf(dir, len, TMP_DIR, (unsigned)getuid()), len))
		return true;
	return xdg && socket_of(path, dir, snprintf(dir, len, "%s" XDG_DIR, xdg), len);
}

/* Anyone may make /tmp/mgrfs-UID before its user does, put a socket of
 * their own in it and read what the user's programs send there, as they
 * may with tmux's and ssh-agent's directories; so, as those programs do,
 * the directory must be the user's own and closed to others.  A missing
 * one is no error: the connect that follows says ENOENT, and a manager
 * may be started. */
static int check_private_dir(const struct mgr_addr *a, const char *dir, char **msg)
{
	char reason[768];
	struct stat st;
	uid_t me = geteuid();

	if (lstat(dir, &st) < 0)
		return errno == ENOENT ? 0 : fail(a, errno, NULL, msg);
	if (!S_ISDIR(st.st_mode)) {
		snprintf(reason, sizeof(reason), "%s is not a directory but a link or a file, "
			 "perhaps put there to catch your connections, so nothing was sent; "
			 "remove it or set MGRFS_SOCKET", dir);
		return fail(a, EACCES, reason, msg);
	}
	if (st.st_uid != me) {
		snprintf(reason, sizeof(reason), "%s belongs to uid %u, not to you (uid %u): "
			 "another user may have made it to catch your connections, so nothing "
			 "was sent; remove it (rm -r %s) or set XDG_RUNTIME_DIR or MGRFS_SOCKET",
			 dir, (unsigned)st.st_uid, (unsigned)me, dir);
		return fail(a, EACCES, reason, msg);
	}
	if (st.st_mode & 077) {
		snprintf(reason, sizeof(reason), "%s is open to other users (mode %04o), who "
			 "may have put a socket of theirs in it, so nothing was sent; remove it "
			 "(rm -r %s) and start mgrd again",
			 dir, (unsigned)(st.st_mode & 07777), dir);
		return fail(a, EACCES, reason, msg);
	}
	return 0;
}

/* The manager behind the default socket must run as the user (or root,
 * who could read anything of ours anyway): the kernel says who listens,
 * which holds even for a socket put in place some other way. */
static int check_peer(const struct mgr_addr *a, int fd, char **msg)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char reason[512];
	uid_t me = geteuid();

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return fail(a, errno, NULL, msg);
	if (cred.uid == me || cred.uid == 0)
		return 0;
	snprintf(reason, sizeof(reason), "the manager there runs as uid %u (pid %d), not as "
		 "you (uid %u), so nothing was sent; stop it and remove %s",
		 (unsigned)cred.uid, (int)cred.pid, (unsigned)me, a->path);
	return fail(a, EACCES, reason, msg);
}

static int connect_unix(const struct mgr_addr *a, char **msg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(a->path);
	char dir[sizeof(sun.sun_path)];
	bool checked;
	int fd, err;

	if (len >= sizeof(sun.sun_path))
		return fail(a, ENAMETOOLONG, "socket path too long", msg);
	memcpy(sun.sun_path, a->path, len + 1);
	checked = private_default(a->path, dir, sizeof(dir));
	if (checked && (err = check_private_dir(a, dir, msg)) < 0)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(a, errno, NULL, msg);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = errno;
		close(fd);
		return fail(a, err, NULL, msg);
	}
	if (checked && (err = check_peer(a, fd, msg)) < 0) {
		close(fd);
		return err;
	}
	return fd;
}

/* How long a TCP connect may take. */
#define CONNECT_TIMEOUT_MS 10000

/* connect() within CONNECT_TIMEOUT_MS: a host cut off from us would
 * otherwise keep a caller (a client reconnecting) for minutes of SYN
 * retries; and at once ECANCELED when cancel_fd becomes readable.  0 or an
 * errno. */
static int connect_bounded(int fd, const struct sockaddr *sa, socklen_t len, int cancel_fd)
{
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = POLLOUT },
		{ .fd = cancel_fd, .events = POLLIN },
	};
	int fl = fcntl(fd, F_GETFL), err = 0, r;
	socklen_t elen = sizeof(err);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return errno;
	if (connect(fd, sa, len) < 0) {
		err = errno;
		if (err == EINPROGRESS) {
			do
				r = poll(pfd, 2, CONNECT_TIMEOUT_MS);
			while (r < 0 && errno == EINTR);
			if (r < 0)
				err = errno;
			else if (r == 0)
				err = ETIMEDOUT;
			else if (pfd[1].revents)
				err = ECANCELED;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
				err = errno;
		}
	}
	if (fcntl(fd, F_SETFL, fl) < 0 && !err)
		err = errno;
	return err;
}

static int connect_tcp(const struct mgr_addr *a, int cancel_fd, char **msg)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV,
	};
	struct addrinfo *res, *ai;
	int fd = -1, err = ECONNREFUSED, one = 1, r;

	r = getaddrinfo(a->host, a->port, &hints, &res);
	if (r == EAI_SYSTEM)
		return fail(a, errno, NULL, msg);
	if (r)
		return fail(a, EHOSTUNREACH, gai_strerror(r), msg);
	/* Try each address in turn; the last failure is the one reported. */
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		err = connect_bounded(fd, ai->ai_addr, ai->ai_addrlen, cancel_fd);
		if (!err)
			break;
		close(fd);
		fd = -1;
		if (err == ECANCELED)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return fail(a, err, NULL, msg);
	/* Requests are small and a caller waits for each reply: sending them
	 * at once matters more than filling segments. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Make fd the child's descriptor target, clearing close-on-exec even when
 * it already is that descriptor (dup2 onto itself keeps the flag). */
static int child_fd(int fd, int target)
{
	if (fd == target)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, target);
}

/* Run prog with argv, a socketpair as its stdin and stdout and our stderr;
 * the other end of the pair is returned.  With link set the child ignores
 * the terminal's signals (see mgr_addr_connect). */
static int spawn(const struct mgr_addr *a, const char *prog, char *const argv[], bool link,
		 int *pid, char **msg)
{
	static const int term_sigs[] = { SIGINT, SIGQUIT, SIGHUP };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t none;
	int sv[2], err;
	size_t i;
	pid_t p;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return fail(a, errno, NULL, msg);
	sigemptyset(&none);
	sigemptyset(&ign.sa_mask);
	p = fork();
	if (p < 0) {
		err = errno;
		close(sv[0]);
		close(sv[1]);
		return fail(a, err, NULL, msg);
	}
	if (p == 0) {
		/* Only async-signal-safe calls here: the parent may have
		 * threads.  The command should not inherit a blocked mask. */
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* The link stays in the caller's process group and session,
		 * so that ssh can still ask for a password on the terminal
		 * (from a group of its own, reading it would stop ssh), but
		 * Ctrl-C and Ctrl-\ are for its user: mgrfs -f unmounts on
		 * them and needs the link to do so.  ssh keeps a signal it
		 * finds ignored ignored, and ends when its stdin closes. */
		for (i = 0; link && i < sizeof(term_sigs) / sizeof(*term_sigs); i++)
			sigaction(term_sigs[i], &ign, NULL);
		if (child_fd(sv[1], 0) < 0 || child_fd(sv[1], 1) < 0)
			_exit(127);
		execv(prog, argv);
		_exit(127);
	}
	close(sv[1]);
	*pid = p;
	return sv[0];
}

static int connect_exec(const struct mgr_addr *a, int *pid, char **msg)
{
	char *argv[] = { "sh", "-c", a->command, NULL };

	return spawn(a, "/bin/sh", argv, false, pid, msg);
}

/* Find prog on $PATH (a name with a '/' is taken as it is), so that the
 * child only needs execv.  0 and *out (the caller frees), or -errno. */
static int find_program(const char *prog, char **out)
{
	const char *path = env("PATH"), *p, *end;
	int len;

	if (strchr(prog, '/'))
		return dup_str(out, prog, strlen(prog));
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		end = strchrnul(p, ':');
		/* An empty element is the current directory. */
		len = end > p ? (int)(end - p) : 1;
		if (asprintf(out, "%.*s/%s", len, end > p ? p : ".", prog) < 0)
			return -ENOMEM;
		if (access(*out, X_OK) == 0)
			return 0;
		free(*out);
		*out = NULL;
		if (!*end)
			return -ENOENT;
	}
}

static bool is_port(const char *s)
{
	size_t len = strlen(s);

	return all_digits(s, len) && len <= 5 && atol(s) >= 1 && atol(s) <= 65535;
}

void mgr_tcp_keepalive(int fd)
{
	int on = 1, idle = 60, intvl = 15, cnt = 4;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

int mgr_ssh_option_check(const char *kv, const char **err)
{
	const char *eq = strchr(kv, '=');
	const char *k;

	if (!eq) {
		*err = "an ssh option is KEY=VALUE";
		return -EINVAL;
	}
	if (eq == kv) {
		*err = "empty ssh option name before '='";
		return -EINVAL;
	}
	for (k = kv; k < eq; k++) {
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
		      (*k >= '0' && *k <= '9'))) {
			*err = "ssh option names are letters and digits";
			return -EINVAL;
		}
	}
	if (!eq[1]) {
		*err = "empty value after '=' in an ssh option";
		return -EINVAL;
	}
	if (eq - kv == 4 && !strncmp(kv, "port", 4) && !is_port(eq + 1)) {
		*err = "port= takes a number from 1 to 65535";
		return -EINVAL;
	}
	return 0;
}

/* Words that need no quotes in any shell ssh may start on the host. */
static bool shell_plain(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_@%+=:,./-", *s))
			return false;
	return true;
}

/* Append s to b as one word of the remote shell: plain, or in single
 * quotes with each ' written as '\''. */
static int shell_quote(struct mgr_buf *b, const char *s)
{
	const char *q;
	int r;

	if (shell_plain(s))
		return mgr_buf_append(b, s, strlen(s));
	r = mgr_buf_append(b, "'", 1);
	while (r == 0 && (q = strchr(s, '\''))) {
		r = mgr_buf_append(b, s, q - s);
		if (r == 0)
			r = mgr_buf_append(b, "'\\''", 4);
		s = q + 1;
	}
	if (r == 0)
		r = mgr_buf_append(b, s, strlen(s));
	if (r == 0)
		r = mgr_buf_append(b, "'", 1);
	return r;
}

/* The command ssh runs on the host: the relay, with the address there. */
static int remote_command(const struct mgr_addr *a, const char *mgrd, struct mgr_buf *b)
{
	int r;

	r = shell_quote(b, mgrd);
	if (r == 0)
		r = mgr_buf_append(b, " --relay", 8);
	/* "--": an address may start with '-' (a path with a '/' in it). */
	if (r == 0 && a->remote) {
		r = mgr_buf_append(b, " -- ", 4);
		if (r == 0)
			r = shell_quote(b, a->remote);
	}
	if (r == 0)
		r = mgr_buf_append(b, "", 1);
	return r;
}

/* ssh logs in first, which may take a person typing a passphrase or
 * answering about a host key: the caller's time limit for the manager's
 * hello should start once the far side has sent something, or ssh has
 * ended.  A signal ends the wait too, so that a program's own handler of
 * Ctrl-C is not kept waiting, and cancel_fd becoming readable; ssh's
 * ConnectTimeout bounds it otherwise. */
static void wait_far_side(int fd, int cancel_fd)
{
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = cancel_fd, .events = POLLIN },
	};

	poll(pfd, 2, -1);
}

/* ssh [ssh_command's words] -T -x [-o K=V | -p N]... [-l USER] -- HOST CMD */
static int connect_ssh(const struct mgr_addr *a, const struct mgr_ssh_opts *o, int cancel_fd,
		       int *pid, char **msg)
{
	const char *command = o && o->command ? o->command : "ssh";
	const char *mgrd = o && o->mgrd ? o->mgrd : "mgrd";
	const char *const *opt;
	struct mgr_buf remote = MGR_BUF_INIT;
	char *words = NULL, *w, *save, *prog = NULL, **argv = NULL, reason[256];
	const char *why;
	size_t n = 0, max;
	int r;

	/* The command has at most one word per two characters; -T -x,
	 * -l USER, -- HOST CMD and the NULL add 8, each option 2. */
	max = strlen(command) / 2 + 1 + 8;
	for (opt = o ? o->options : NULL; opt && *opt; opt++)
		max += 2;
	r = -ENOMEM;
	words = strdup(command);
	argv = calloc(max, sizeof(*argv));
	if (!words || !argv)
		goto out;
	for (w = strtok_r(words, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	if (!n) {
		r = fail(a, EINVAL, "ssh_command is empty", msg);
		goto out;
	}
	argv[n++] = "-T";
	argv[n++] = "-x";
	for (opt = o ? o->options : NULL; opt && *opt; opt++) {
		if (mgr_ssh_option_check(*opt, &why) < 0) {
			snprintf(reason, sizeof(reason), "-o %s: %s", *opt, why);
			r = fail(a, EINVAL, reason, msg);
			goto out;
		}
		if (!strncmp(*opt, "port=", 5)) {
			argv[n++] = "-p";
			argv[n++] = (char *)*opt + 5;
		} else {
			argv[n++] = "-o";
			argv[n++] = (char *)*opt;
		}
	}
	if (a->user) {
		argv[n++] = "-l";
		argv[n++] = a->user;
	}
	argv[n++] = "--";
	argv[n++] = a->host;
	r = remote_command(a, mgrd, &remote);
	if (r < 0)
		goto out;
	argv[n++] = remote.data;
	argv[n] = NULL;
	r = find_program(argv[0], &prog);
	if (r < 0) {
		snprintf(reason, sizeof(reason), "%s: %s", argv[0],
			 r == -ENOENT ? "command not found" : strerror(-r));
		r = fail(a, -r, reason, msg);
		goto out;
	}
	r = spawn(a, prog, argv, true, pid, msg);
	if (r >= 0)
		wait_far_side(r, cancel_fd);
out:
	if (r == -ENOMEM && !*msg)
		fail(a, ENOMEM, NULL, msg);
	free(prog);
	free(argv);
	free(words);
	mgr_buf_release(&remote);
	return r;
}

int mgr_addr_connect(const struct mgr_addr *a, const struct mgr_ssh_opts *ssh, int cancel_fd,
		     int *pid, char **err)
{
	*pid = 0;
	*err = NULL;
	switch (a->kind) {
	case MGR_ADDR_UNIX:
		return connect_unix(a, err);
	case MGR_ADDR_TCP:
		return connect_tcp(a, cancel_fd, err);
	case MGR_ADDR_EXEC:
		return connect_exec(a, pid, err);
	case MGR_ADDR_SSH:
		return connect_ssh(a, ssh, cancel_fd, pid, err);
	}
	return fail(a, EINVAL, "unknown address kind", err);
}
