/* A real manager for the C tests: see fixture_mgrd.h. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "client.h"
#include "fixture_mgrd.h"

const char *mgrd_bin;
static char dir[PATH_MAX];

int mgrd_fixture_init(const char *name)
{
	mgrd_bin = getenv("MGRD");
	if (!mgrd_bin || !*mgrd_bin) {
		fprintf(stderr, "%s: MGRD must name the mgrd binary\n", name);
		return 77;
	}
	snprintf(dir, sizeof(dir), "/tmp/%s.XXXXXX", name);
	if (!mkdtemp(dir)) {
		fprintf(stderr, "%s: mkdtemp %s: %s\n", name, dir, strerror(errno));
		return 1;
	}
	return 0;
}

int mgrd_fixture_cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

void mgrd_fixture_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

void mgrd_fixture_addr(char *out, size_t size, const char *name)
{
	snprintf(out, size, "unix:%s/%s", dir, name);
}

pid_t mgrd_start(const char *addr, const char *keyfile)
{
	struct mgr_client_opts o = { 0 };
	struct mgr_client *c;
	int i, status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (keyfile)
			execl(mgrd_bin, mgrd_bin, "-q", "-l", addr, "--authkey-file", keyfile,
			      (char *)NULL);
		else
			execl(mgrd_bin, mgrd_bin, "-q", "-l", addr, (char *)NULL);
		_exit(127);
	}
	/* A manager that wants a key turns a keyless client away: any
	 * answer at all shows that it is up. */
	for (i = 0; i < HANG_MS / 20; i++) {
		char *msg = NULL;
		int r = mgr_client_connect(addr, &o, &c, &msg);

		free(msg);
		if (r == 0)
			mgr_client_free(c);
		if (r == 0 || r == -EACCES)
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid)
			fail_msg("%s exited before it answered", mgrd_bin);
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	fail_msg("%s did not answer on %s", mgrd_bin, addr);
	return -1;
}

void mgrd_stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

void mgrd_kill(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
