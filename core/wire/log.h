/* Logging for the programs.  core/ never writes to a terminal itself: it
 * calls mgr_log, which does nothing until a program installs a sink. */
#ifndef MGR_LOG_H
#define MGR_LOG_H

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

#endif
