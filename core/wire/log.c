#include "log.h"

#include <stdarg.h>
#include <stdio.h>

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
