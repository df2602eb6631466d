#include "listen.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

void mgr_listen_close(struct mgr_listen_sock *s)
{
	struct stat st;

	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	/* After a stale-socket takeover by another manager, the file at
	 * this path is that manager's. */
	if (s->path && stat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
	free(s->path);
	s->path = NULL;
}

/* path made absolute against the current directory; NULL on failure. */
static char *absolute(const char *path)
{
	char *cwd, *abs = NULL;

	if (path[0] == '/')
		return strdup(path);
	cwd = getcwd(NULL, 0);
	if (cwd && asprintf(&abs, "%s/%s", cwd, path) < 0)
		abs = NULL;
	free(cwd);
	return abs;
}

/* mkdir -p, each new directory with mode 0700. */
static int make_dirs(const char *dir)
{
	char *copy = strdup(dir), *p, c;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST) {
			r = -errno;
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return r;
}

/* The directory, not what a link there points to: clients check it so
 * (see addr.c), and a manager must not listen where they will refuse. */
static int check_private(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	int r;

	if (lstat(dir, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-r));
		return r;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
		snprintf(err, errlen, "%s must be a directory of uid %u with mode 0700 (it has uid %u, mode %04o)",
			 dir, (unsigned)geteuid(), (unsigned)st.st_uid,
			 (unsigned)(st.st_mode & 07777));
		return -EACCES;
	}
	return 0;
}

/* What is at path: 0 when nothing is (or a stale socket was removed),
 * -EADDRINUSE when a manager answers there, -EEXIST for another file. */
static int probe_socket(const char *path, const struct sockaddr_un *sun,
			char *err, size_t errlen)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "socket: %s", strerror(-r));
		return r;
	}
	/* A full backlog (EAGAIN) still means someone listens. */
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 || errno == EAGAIN) {
		snprintf(err, errlen, "a manager is already running on %s", path);
		r = -EADDRINUSE;
	} else if (errno == ECONNREFUSED) {
		mgr_log(MGR_LOG_INFO, "replacing the stale socket %s", path);
		r = unlink(path) < 0 && errno != ENOENT ? -errno : 0;
		if (r < 0)
			snprintf(err, errlen, "cannot remove the stale socket %s: %s",
				 path, strerror(-r));
	} else {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
	}
	close(fd);
	return r;
}

int mgr_listen_unix(const char *path, bool private_dir, struct mgr_listen_sock *out,
		    char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *dir, *slash;
	struct stat st;
	mode_t mask;
	int fd, r;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path longer than %zu bytes: %s",
			 sizeof(sun.sun_path) - 1, path);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, path);
	memset(out, 0, sizeof(*out));
	out->fd = -1;
	dir = strdup(path);
	out->path = absolute(path);
	if (!dir || !out->path) {
		r = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	r = make_dirs(dir);
	if (r < 0) {
		snprintf(err, errlen, "cannot make the directory %s: %s", dir, strerror(-r));
		goto err;
	}
	if (private_dir) {
		r = check_private(dir, err, errlen);
		if (r < 0)
			goto err;
	}
	r = probe_socket(path, &sun, err, errlen);
	if (r < 0)
		goto err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "socket: %s", strerror(-r));
		goto err;
	}
	/* The umask makes the socket 0600 as it is created, leaving no
	 * moment in which others could connect. */
	mask = umask(0177);
	r = bind(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0 ? -errno : 0;
	umask(mask);
	if (r < 0) {
		close(fd);
		snprintf(err, errlen, "cannot bind %s: %s", path, strerror(-r));
		goto err;
	}
	out->fd = fd;
	if (stat(path, &st) == 0) {
		out->dev = st.st_dev;
		out->ino = st.st_ino;
	}
	if (listen(fd, SOMAXCONN) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(-r));
		goto err;
	}
	snprintf(out->name, sizeof(out->name), "unix:%s", path);
	free(dir);
	return 0;
err:
	mgr_listen_close(out);
	free(dir);
	return r;
}

void mgr_sockaddr_name(const struct sockaddr *sa, socklen_t len, char *out, size_t outlen)
{
	/* Numeric only: an IPv6 address with a scope fits in 64. */
	char host[64], serv[16];

	if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(out, outlen, "an unknown address");
	else if (sa->sa_family == AF_INET6)
		snprintf(out, outlen, "[%s]:%s", host, serv);
	else
		snprintf(out, outlen, "%s:%s", host, serv);
}

/* One listening TCP socket on ai; 0 or -errno. */
static int listen_one(const struct addrinfo *ai, struct mgr_listen_sock *s)
{
	struct sockaddr_storage ss;
	char where[96];
	socklen_t sslen = sizeof(ss);
	int fd, one = 1, r;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Then the same port can be bound for both families. */
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	/* The address bound, which tells the port chosen for port 0. */
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0)
		mgr_sockaddr_name((struct sockaddr *)&ss, sslen, where, sizeof(where));
	else
		mgr_sockaddr_name(ai->ai_addr, ai->ai_addrlen, where, sizeof(where));
	snprintf(s->name, sizeof(s->name), "tcp:%s", where);
	return 0;
}

int mgr_listen_tcp(const char *host, const char *port, struct mgr_listen_sock **out,
		   size_t *n, char *err, size_t errlen)
{
	struct addrinfo hints = {
		.ai_flags = AI_PASSIVE | AI_ADDRCONFIG,
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
	};
	struct mgr_listen_sock *socks = NULL;
	struct addrinfo *res, *ai;
	char where[96];
	size_t count = 0, i;
	int r;

	if (host && (!*host || strcmp(host, "*") == 0))
		host = NULL;
	r = getaddrinfo(host, port, &hints, &res);
	if (r) {
		snprintf(err, errlen, "tcp:%s:%s: %s", host ? host : "*", port,
			 r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return -EADDRNOTAVAIL;
	}
	for (ai = res; ai; ai = ai->ai_next)
		count++;
	socks = calloc(count, sizeof(*socks));
	if (!socks) {
		r = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (ai = res, i = 0; ai; ai = ai->ai_next, i++) {
		r = listen_one(ai, &socks[i]);
		if (r < 0) {
			mgr_sockaddr_name(ai->ai_addr, ai->ai_addrlen, where, sizeof(where));
			snprintf(err, errlen, "cannot listen on tcp:%s: %s", where, strerror(-r));
			while (i > 0)
				mgr_listen_close(&socks[--i]);
			free(socks);
			goto out;
		}
	}
	*out = socks;
	*n = count;
out:
	freeaddrinfo(res);
	return r;
}
