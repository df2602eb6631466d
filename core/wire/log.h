/* Logging for the programs.  core/ never writes to a terminal itself: it
 * calls mgr_log, which does nothing until a program installs a sink. */
#ifndef MGR_LOG_H
#define MGR_LOG_H

#include <stdint.h>

enum mgr_log_level {
	MGR_LOG_ERROR,
	MGR_LOG_WARN,
	MGR_LOG_INFO,
	MGR_LOG_DEBUG,
};

typedef void (*mgr_log_fn)(enum mgr_log_level level, const char *msg);

void mgr_log_set(mgr_log_fn fn, enum mgr_log_level max);
void mgr_log(enum mgr_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *mgr_log_level_name(enum mgr_log_level level);

/* One kind of message that a flood could repeat without end (a failed
 * authentication, a refused connection): at most one line a second is
 * logged, and the next line logged says how many were left out, so that
 * a flood costs neither the log's disk nor the loop's time.  One limit
 * per kind, zeroed (static storage will do); each belongs to one thread,
 * as the manager's loop does. */
struct mgr_log_limit {
	uint64_t next_ms;	/* monotonic ms before which lines are left out */
	uint64_t suppressed;	/* left out since the last line */
};

#define MGR_LOG_LIMIT_MS 1000

void mgr_log_limited(struct mgr_log_limit *lim, enum mgr_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
