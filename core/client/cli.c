#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

#include "proto.h"

uint64_t cli_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cli_set_msg(char **msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(msg, fmt, ap) < 0)
		*msg = NULL;
	va_end(ap);
}

int cli_ms_until(uint64_t t)
{
	uint64_t now = cli_now_ms();

	return t <= now ? 0 : t - now > INT_MAX ? INT_MAX : (int)(t - now);
}

bool cli_on_io_thread(const struct mgr_client *c)
{
	return pthread_equal(pthread_self(), c->thread);
}

int cli_reply_errno(const char *name)
{
	int e = mgr_errno_from_name(name);

	if (e > 0)
		e = -e;
	return e ? e : -EIO;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

void cli_reap(pid_t pid, int *status)
{
	unsigned waited, step;
	int i;
	pid_t r;

	for (i = 0; i < 2; i++) {
		if (i)
			kill(pid, SIGTERM);
		for (waited = 0, step = 1; waited < CLI_REAP_GRACE_MS; waited += step) {
			r = waitpid(pid, status, WNOHANG);
			if (r == pid || (r < 0 && errno != EINTR))
				return;
			sleep_ms(step);
			if (step < 64)
				step *= 2;
		}
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}
