/* Addresses: every spelling, the mistakes users make, the default socket,
 * and connecting over each transport that needs no manager. */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "addr.h"

static void parse_ok(const char *s, struct mgr_addr *a)
{
	const char *err = NULL;
	int r = mgr_addr_parse(s, a, &err);

	if (r != 0)
		fail_msg("%s: %s", s, err ? err : "?");
}

static void parse_bad(const char *s)
{
	struct mgr_addr a;
	const char *err = NULL;

	assert_int_equal(mgr_addr_parse(s, &a, &err), -EINVAL);
	assert_non_null(err);
	assert_true(strlen(err) > 0);
}

static void test_unix(void **state)
{
	struct mgr_addr a;

	parse_ok("unix:/run/mgrfs/socket", &a);
	assert_int_equal(a.kind, MGR_ADDR_UNIX);
	assert_string_equal(a.path, "/run/mgrfs/socket");
	assert_null(a.host);
	mgr_addr_release(&a);

	/* Everything after "unix:" is the path, colons included. */
	parse_ok("unix:rel:sock", &a);
	assert_string_equal(a.path, "rel:sock");
	mgr_addr_release(&a);

	parse_ok("/tmp/x/sock", &a);
	assert_int_equal(a.kind, MGR_ADDR_UNIX);
	assert_string_equal(a.path, "/tmp/x/sock");
	mgr_addr_release(&a);

	parse_ok("./sock", &a);
	assert_int_equal(a.kind, MGR_ADDR_UNIX);
	assert_string_equal(a.path, "./sock");
	mgr_addr_release(&a);

	parse_bad("unix:");
	parse_bad("sock");
}

static void test_tcp(void **state)
{
	struct mgr_addr a;

	parse_ok("tcp:localhost:7000", &a);
	assert_int_equal(a.kind, MGR_ADDR_TCP);
	assert_string_equal(a.host, "localhost");
	assert_string_equal(a.port, "7000");
	mgr_addr_release(&a);

	parse_ok("tcp:10.0.0.1:0", &a);
	assert_string_equal(a.host, "10.0.0.1");
	assert_string_equal(a.port, "0");
	mgr_addr_release(&a);

	parse_ok("tcp:[::1]:65535", &a);
	assert_string_equal(a.host, "::1");
	assert_string_equal(a.port, "65535");
	mgr_addr_release(&a);

	parse_ok("tcp:[fe80::1%eth0]:7000", &a);
	assert_string_equal(a.host, "fe80::1%eth0");
	mgr_addr_release(&a);

	parse_bad("tcp:");
	parse_bad("tcp:host");
	parse_bad("tcp:host:");
	parse_bad("tcp::7000");
	parse_bad("tcp:host:65536");
	parse_bad("tcp:host:123456");
	parse_bad("tcp:host:12a");
	parse_bad("tcp:host:-1");
	parse_bad("tcp:host:http");
	parse_bad("tcp:fe80::1:7000");	/* IPv6 needs brackets */
	parse_bad("tcp:[::1:7000");
	parse_bad("tcp:[::1]7000");
	parse_bad("tcp:[]:7000");
	parse_bad("tcp:[::1]");
	parse_bad("tcp:[::1]:");
}

static void test_exec(void **state)
{
	struct mgr_addr a;

	parse_ok("exec:mgrd --stdio", &a);
	assert_int_equal(a.kind, MGR_ADDR_EXEC);
	assert_string_equal(a.command, "mgrd --stdio");
	assert_null(a.path);
	mgr_addr_release(&a);

	/* The command is taken whole, with its own colons and slashes. */
	parse_ok("exec:ssh box mgrd --stdio -l unix:/x", &a);
	assert_string_equal(a.command, "ssh box mgrd --stdio -l unix:/x");
	mgr_addr_release(&a);

	parse_bad("exec:");
	parse_bad("exec: \t ");
}

static void test_ssh(void **state)
{
	struct mgr_addr a;

	parse_ok("ssh:box", &a);
	assert_int_equal(a.kind, MGR_ADDR_SSH);
	assert_string_equal(a.host, "box");
	assert_null(a.user);
	assert_null(a.remote);
	mgr_addr_release(&a);

	parse_ok("ssh:alice@box.example.org", &a);
	assert_string_equal(a.user, "alice");
	assert_string_equal(a.host, "box.example.org");
	assert_null(a.remote);
	mgr_addr_release(&a);

	parse_ok("ssh:alice@box:unix:/run/user/1000/mgrfs/socket", &a);
	assert_string_equal(a.user, "alice");
	assert_string_equal(a.host, "box");
	assert_string_equal(a.remote, "unix:/run/user/1000/mgrfs/socket");
	mgr_addr_release(&a);

	parse_ok("ssh:[::1]:tcp:[::1]:7000", &a);
	assert_null(a.user);
	assert_string_equal(a.host, "::1");
	assert_string_equal(a.remote, "tcp:[::1]:7000");
	mgr_addr_release(&a);

	parse_ok("ssh:bob@[fe80::2]", &a);
	assert_string_equal(a.user, "bob");
	assert_string_equal(a.host, "fe80::2");
	assert_null(a.remote);
	mgr_addr_release(&a);

	/* An '@' in the remote address is not a user. */
	parse_ok("ssh:box:exec:x@y", &a);
	assert_null(a.user);
	assert_string_equal(a.host, "box");
	assert_string_equal(a.remote, "exec:x@y");
	mgr_addr_release(&a);

	parse_bad("ssh:");
	parse_bad("ssh:@box");
	parse_bad("ssh:alice@");
	parse_bad("ssh:box:");
	parse_bad("ssh:[::1");
	parse_bad("ssh:[::1]x");
}

static void test_bad(void **state)
{
	struct mgr_addr a;
	const char *err = NULL;

	assert_int_equal(mgr_addr_parse(NULL, &a, &err), -EINVAL);
	assert_non_null(err);
	parse_bad("");
	parse_bad("ftp:host");
	parse_bad("localhost:7000");
}

static void expect_default(const char *want)
{
	struct mgr_buf b = MGR_BUF_INIT;

	assert_int_equal(mgr_addr_default_socket(&b), 0);
	assert_string_equal(b.data, want);
	assert_int_equal(b.len, strlen(want));
	mgr_buf_release(&b);
}

static void test_default_socket(void **state)
{
	struct mgr_buf b = MGR_BUF_INIT;
	char want[64];

	setenv("MGRFS_SOCKET", "/srv/m/sock", 1);
	setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
	expect_default("/srv/m/sock");

	unsetenv("MGRFS_SOCKET");
	expect_default("/run/user/4242/mgrfs/socket");

	/* Empty variables count as unset. */
	setenv("MGRFS_SOCKET", "", 1);
	expect_default("/run/user/4242/mgrfs/socket");

	setenv("XDG_RUNTIME_DIR", "", 1);
	snprintf(want, sizeof(want), "/tmp/mgrfs-%u/socket", (unsigned)getuid());
	expect_default(want);

	unsetenv("MGRFS_SOCKET");
	unsetenv("XDG_RUNTIME_DIR");
	expect_default(want);

	/* It appends to what the buffer holds. */
	setenv("MGRFS_SOCKET", "/s", 1);
	assert_int_equal(mgr_buf_append(&b, "unix:", 5), 0);
	assert_int_equal(mgr_addr_default_socket(&b), 0);
	assert_int_equal(b.len, 7);
	assert_string_equal(b.data, "unix:/s");
	mgr_buf_release(&b);
	unsetenv("MGRFS_SOCKET");
}

static int connect_str(const char *s, int *pid, char **msg)
{
	struct mgr_addr a;
	const char *err;
	int r;

	assert_int_equal(mgr_addr_parse(s, &a, &err), 0);
	r = mgr_addr_connect(&a, NULL, -1, pid, msg);
	mgr_addr_release(&a);
	return r;
}

static void test_connect_errors(void **state)
{
	char path[200], *msg = NULL;
	int pid = -1;

	assert_int_equal(connect_str("unix:/nonexistent/mgrfs.sock", &pid, &msg), -ENOENT);
	assert_int_equal(pid, 0);
	assert_string_equal(msg, "cannot connect to unix:/nonexistent/mgrfs.sock: "
			    "No such file or directory; is mgrd running?");
	free(msg);

	memset(path, 'x', sizeof(path));
	memcpy(path, "unix:/", 6);
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(connect_str(path, &pid, &msg), -ENAMETOOLONG);
	assert_non_null(strstr(msg, "too long"));
	free(msg);

}

static void test_connect_unix(void **state)
{
	char dir[] = "/tmp/test_addr.XXXXXX", addr[128], *msg = NULL;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd, fd, afd, pid = -1;
	char c = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", dir);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(lfd, 1), 0);

	/* A bare path with a slash is a unix socket too. */
	snprintf(addr, sizeof(addr), "%s", sun.sun_path);
	fd = connect_str(addr, &pid, &msg);
	assert_true(fd >= 0);
	assert_null(msg);
	assert_int_equal(pid, 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	assert_int_equal(write(fd, "u", 1), 1);
	assert_int_equal(read(afd, &c, 1), 1);
	assert_int_equal(c, 'u');
	close(afd);
	close(fd);

	close(lfd);
	unlink(sun.sun_path);
	/* A socket file with no listener behind it is refused. */
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(lfd);
	snprintf(addr, sizeof(addr), "unix:%s", sun.sun_path);
	assert_int_equal(connect_str(addr, &pid, &msg), -ECONNREFUSED);
	assert_non_null(strstr(msg, "is mgrd running?"));
	free(msg);
	unlink(sun.sun_path);
	rmdir(dir);
}

/* A process listening on path as uid: the socket is bound first, so the
 * file is made as we are, and listened on after the change of uid, which
 * is what the kernel tells a client.  It exits when its pipe closes. */
static pid_t listen_as(const char *path, uid_t uid, int *stop)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int ready[2], hold[2], fd;
	pid_t pid;
	char c;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(hold), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
		    setgid(uid) < 0 || setuid(uid) < 0 || listen(fd, 4) < 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1 || read(hold[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	*stop = hold[1];
	return pid;
}

static void stop_listener(pid_t pid, int stop, const char *path)
{
	int status;

	close(stop);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	unlink(path);
}

/* connect_str of addr fails with -EACCES and a message that holds want. */
static void refused(const char *addr, const char *want)
{
	char *msg = NULL;
	int pid = -1;

	assert_int_equal(connect_str(addr, &pid, &msg), -EACCES);
	assert_non_null(msg);
	if (!strstr(msg, want))
		fail_msg("'%s' is not in '%s'", want, msg);
	free(msg);
}

/* The default socket's directory must be the user's and closed to others,
 * and its manager must run as the user or root: another user could have
 * made the directory first (see mgrfs(7)).  A socket named elsewhere is
 * not checked. */
static void test_connect_default_private(void **state)
{
	char dir[] = "/tmp/test_addr_xdg.XXXXXX", sub[64], other[64], sock[96], addr[128];
	char *msg = NULL;
	bool root = geteuid() == 0;
	int fd, pid = -1, stop;
	pid_t lpid;

	assert_non_null(mkdtemp(dir));
	setenv("XDG_RUNTIME_DIR", dir, 1);
	unsetenv("MGRFS_SOCKET");
	snprintf(sub, sizeof(sub), "%s/mgrfs", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(sock, sizeof(sock), "%s/socket", sub);
	snprintf(addr, sizeof(addr), "unix:%s", sock);

	/* No directory yet: no manager, and one may be started. */
	assert_int_equal(connect_str(addr, &pid, &msg), -ENOENT);
	free(msg);
	msg = NULL;

	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	refused(addr, "is open to other users (mode 0777)");
	assert_int_equal(chmod(sub, 0750), 0);
	refused(addr, "(mode 0750)");
	assert_int_equal(rmdir(sub), 0);

	assert_int_equal(mkdir(other, 0700), 0);
	assert_int_equal(symlink(other, sub), 0);
	refused(addr, "is not a directory");
	assert_int_equal(unlink(sub), 0);

	assert_int_equal(mkdir(sub, 0700), 0);
	if (root) {
		assert_int_equal(chown(sub, 65534, 65534), 0);
		refused(addr, "belongs to uid 65534, not to you (uid 0)");
		assert_int_equal(chown(sub, 0, 0), 0);
	}

	/* Our own manager is let in, and so is root's. */
	lpid = listen_as(sock, geteuid(), &stop);
	fd = connect_str(addr, &pid, &msg);
	assert_true(fd >= 0);
	assert_null(msg);
	close(fd);
	stop_listener(lpid, stop, sock);

	if (root) {
		lpid = listen_as(sock, 65534, &stop);
		refused(addr, "the manager there runs as uid 65534");
		/* The same socket, once it is not the default (without
		 * XDG_RUNTIME_DIR), is the user's to name. */
		unsetenv("XDG_RUNTIME_DIR");
		fd = connect_str(addr, &pid, &msg);
		assert_true(fd >= 0);
		close(fd);
		stop_listener(lpid, stop, sock);
	}
	unsetenv("XDG_RUNTIME_DIR");
	rmdir(sub);
	rmdir(other);
	rmdir(dir);
}

static void test_connect_tcp(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	char addr[64], *msg = NULL, c = 0;
	int lfd, fd, afd, pid = -1, one = 0;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);

	snprintf(addr, sizeof(addr), "tcp:127.0.0.1:%u", ntohs(sin.sin_port));
	fd = connect_str(addr, &pid, &msg);
	assert_true(fd >= 0);
	assert_int_equal(pid, 0);
	len = sizeof(one);
	assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, &len), 0);
	assert_int_not_equal(one, 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	assert_int_equal(write(afd, "t", 1), 1);
	assert_int_equal(read(fd, &c, 1), 1);
	assert_int_equal(c, 't');
	close(afd);
	close(fd);
	close(lfd);

	/* Nobody listens there any more. */
	assert_int_equal(connect_str(addr, &pid, &msg), -ECONNREFUSED);
	assert_non_null(strstr(msg, addr));
	free(msg);
}

static void test_connect_exec(void **state)
{
	char *msg = NULL, buf[16];
	int fd, pid = 0, status;
	ssize_t n;

	/* The command's stdin and stdout are our socket: what we send comes
	 * back through tr. */
	fd = connect_str("exec:tr a-z A-Z", &pid, &msg);
	assert_true(fd >= 0);
	assert_null(msg);
	assert_true(pid > 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	n = 0;
	while (n < 5) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - n);

		assert_true(r > 0);
		n += r;
	}
	assert_memory_equal(buf, "HELLO", 5);
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* The command runs under sh -c; when it ends, so does the stream. */
	fd = connect_str("exec:echo done; exit 3", &pid, &msg);
	assert_true(fd >= 0);
	n = 0;
	while ((status = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += status;
	assert_int_equal(status, 0);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "done\n", 5);
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
}

/* Everything an ssh: connection runs, seen through a printf that stands in
 * for ssh and prints its arguments one a line. */
static char *ssh_argv(const char *addr, const struct mgr_ssh_opts *o, int *ret)
{
	static char buf[1024];
	struct mgr_addr a;
	const char *err;
	char *msg = NULL;
	ssize_t n, got = 0;
	int fd, pid, status;

	assert_int_equal(mgr_addr_parse(addr, &a, &err), 0);
	fd = mgr_addr_connect(&a, o, -1, &pid, &msg);
	mgr_addr_release(&a);
	*ret = fd;
	if (fd < 0) {
		snprintf(buf, sizeof(buf), "%s", msg);
		free(msg);
		return buf;
	}
	while ((n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return buf;
}

static void test_connect_ssh(void **state)
{
	const char *const options[] = { "port=2222", "IdentityFile=/k,x", NULL };
	struct mgr_ssh_opts o = {
		.command = " printf  %s\\n ",
		.options = options,
		.mgrd = "/opt/my mgrd",
	};
	const char *const bad[] = { "port=0", NULL };
	const char *const noeq[] = { "BatchMode", NULL };
	char *out;
	int r;

	out = ssh_argv("ssh:alice@box:unix:/a'b", &o, &r);
	assert_true(r >= 0);
	assert_string_equal(out, "-T\n-x\n-p\n2222\n-o\nIdentityFile=/k,x\n-l\nalice\n"
			    "--\nbox\n'/opt/my mgrd' --relay -- 'unix:/a'\\''b'\n");

	/* The defaults: the relay on the host's default socket. */
	o.options = NULL;
	o.mgrd = NULL;
	out = ssh_argv("ssh:[::1]", &o, &r);
	assert_true(r >= 0);
	assert_string_equal(out, "-T\n-x\n--\n::1\nmgrd --relay\n");

	o.options = bad;
	out = ssh_argv("ssh:box", &o, &r);
	assert_int_equal(r, -EINVAL);
	assert_non_null(strstr(out, "port= takes a number"));
	o.options = noeq;
	out = ssh_argv("ssh:box", &o, &r);
	assert_int_equal(r, -EINVAL);
	assert_non_null(strstr(out, "KEY=VALUE"));

	o.options = NULL;
	o.command = "no-such-ssh-here -v";
	out = ssh_argv("ssh:box", &o, &r);
	assert_int_equal(r, -ENOENT);
	assert_string_equal(out, "cannot connect to ssh:box: no-such-ssh-here: command not found");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_ssh),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_default_socket),
		cmocka_unit_test(test_connect_errors),
		cmocka_unit_test(test_connect_unix),
		cmocka_unit_test(test_connect_default_private),
		cmocka_unit_test(test_connect_tcp),
		cmocka_unit_test(test_connect_exec),
		cmocka_unit_test(test_connect_ssh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
