#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

/* Set once by the program before any thread starts, then only read. */
static mgr_log_fn log_sink;
static enum mgr_log_level log_max = MGR_LOG_INFO;

void mgr_log_set(mgr_log_fn fn, enum mgr_log_level max)
{
	log_sink = fn;
	log_max = max;
}

void mgr_log(enum mgr_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!log_sink || level > log_max)
		return;
	va_start(ap, fmt);
	/* A message longer than the buffer is cut, which beats allocating
	 * in a path that may run when memory is short. */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_sink(level, msg);
}

void mgr_log_limited(struct mgr_log_limit *lim, enum mgr_log_level level, const char *fmt, ...)
{
	struct timespec ts;
	char msg[1024];
	uint64_t now;
	va_list ap;
	int n;

	if (!log_sink || level > log_max)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (now < lim->next_ms) {
		lim->suppressed++;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The count goes on the line itself, so that a reader of the log
	 * who sees one line knows how many it stands for. */
	if (lim->suppressed && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, " (and %llu more like it since the last such line, not logged)",
			 (unsigned long long)lim->suppressed);
	lim->suppressed = 0;
	lim->next_ms = now + MGR_LOG_LIMIT_MS;
	log_sink(level, msg);
}

const char *mgr_log_level_name(enum mgr_log_level level)
{
	switch (level) {
	case MGR_LOG_ERROR:
		return "error";
	case MGR_LOG_WARN:
		return "warning";
	case MGR_LOG_INFO:
		return "info";
	case MGR_LOG_DEBUG:
		return "debug";
	}
	return "unknown";
}
