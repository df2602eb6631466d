/* mgrctl: the command-line client of a manager.  A client as mgrfs is: it
 * includes the wire's and the client's headers (core/wire, core/client),
 * never the engine's or the server's.
 *
 * One invocation is one session: whatever it acquires is given back when it
 * exits, so "mgrctl lock" and "mgrctl batch" are the ways to hold something
 * across several steps.  The commands are rows of a table (main.c) that
 * name the op they send, the positional arguments they take and how the
 * result is shown; only commands that are more than one request have
 * handlers of their own (cmd_*.c).
 *
 * This header is what the parts share: the session, the options, a
 * command's row, and each module's exported functions under its prefix
 * (opts_, sess_, args_, print_, cmd_, ctl_).  Every function that returns
 * an int returns an exit status (ST_*) unless it says otherwise, and has
 * already said why on stderr when that status is not ST_OK. */
#ifndef MGRCTL_H
#define MGRCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "addr.h"
#include "client.h"

/* Exit statuses. */
enum {
	ST_OK = 0,
	ST_ERR = 1,
	ST_USAGE = 2,
	ST_TIMEOUT = 3,
};

enum opt_id {
	O_JSON, O_TIMEOUT, O_OWNER, O_BYTES, O_STRING,
	O_CONNECT, O_AUTHKEY, O_KEEPALIVE, O_SSH, O_HELP,
	O_LONG, O_RECURSIVE, O_REVERSE, O_NOWAIT, O_WAIT, O_COUNT,
	O_SHALLOW, O_EXIST_OK, O_TYPECODE, O_SIZE,
};

#define OPT(id) (1u << (id))
/* Options that may follow any command as well as precede it. */
#define OPTS_COMMON (OPT(O_JSON) | OPT(O_TIMEOUT) | OPT(O_OWNER) | OPT(O_BYTES) | OPT(O_STRING))
/* The connection is made once per session, so these only precede the
 * command. */
#define OPTS_MAIN (OPTS_COMMON | OPT(O_CONNECT) | OPT(O_AUTHKEY) | OPT(O_KEEPALIVE) | \
		   OPT(O_SSH) | OPT(O_HELP))

struct opts {
	bool json, bytes, string, nowait, long_list, recursive, reverse;
	bool shallow, exist_ok, help;
	bool has_timeout, has_owner, has_size, has_keepalive;
	double timeout;
	uint64_t keepalive;
	uint64_t owner, count, size;
	const char *typecode;
	const char *addr, *keyfile;
};

struct sess {
	struct opts defaults;	/* the options given before the command */
	/* -o: how an ssh: address connects.  Its strings point into
	 * ssh_args, the copies of the arguments of -o. */
	struct mgr_ssh_opts ssh;
	const char **ssh_options;	/* NULL-terminated, or NULL */
	size_t nssh_options;
	char **ssh_args;
	size_t nssh_args;
	struct mgr_client *client;
	unsigned lineno;	/* the batch line being run; 0 outside batch */
	bool in_batch;
	int closed;		/* -errno once the connection has ended */
	/* A running watch: which subscription, how many events were shown. */
	bool watching;
	bool watch_json;
	uint64_t sub, seen, limit;
};

struct cmd;
typedef int (*cmd_fn)(struct sess *s, const struct cmd *cmd, const struct opts *o,
		      int argc, char **argv);

/* How a result is shown without --json. */
enum out {
	OUT_NONE,	/* nothing: the exit status says it */
	OUT_PRINT,	/* a value: strings raw, data as "get" shows them */
	OUT_TRUE,	/* nothing, but false is exit status 3 */
	OUT_JSON,	/* JSON, even without --json */
	OUT_NAMED,	/* NAME<TAB>JSON */
	OUT_STAT,	/* key: value lines */
};

enum {
	CMD_WAITS = 1,		/* sends "block" and "timeout" */
	CMD_COMMAND = 2,	/* PATH then a command line to run */
};

/* Positional arguments of a generic command, one letter each:
 *   P  path (required)     p  path, the root when absent
 *   V  a value: "value" or "bytes"
 *   i  integer "index"     n  integer "n"
 *   s  integer "start"     e  integer "stop"
 *   S  INDEX or START:STOP t  string "to"
 *   z  integer "size"
 * and '[' makes the arguments after it optional. */
struct cmd {
	const char *name;	/* NULL for a heading in the help */
	const char *args;
	const char *help;
	const char *more;	/* more lines for "mgrctl help NAME", or NULL */
	cmd_fn fn;
	const char *op;		/* the op sent (generic commands) */
	const char *spec;	/* positional arguments (generic commands) */
	unsigned opts;		/* options beyond OPTS_COMMON */
	int flags;
	enum out out;
	int min, max;		/* positional count of special commands; -1: any */
};

/* main.c: dispatch. */

/* Run one command line: argv[0] is the command. */
int ctl_run_words(struct sess *s, int argc, char **argv);

/* opts.c: options and numbers on the command line. */

/* Parse argv's options allowed by mask into o and collect the rest in pos
 * (NULL-terminated, room for argc + 1).  Once rest_after positionals are
 * collected (-1: never), the next word that is not an option, and all
 * after it, are taken verbatim: a command and its arguments.  cmd is
 * NULL before the command. */
int opts_parse(struct sess *s, const struct cmd *cmd, unsigned mask, int argc, char **argv,
	       struct opts *o, char **pos, int *npos, int rest_after);
/* The help lines of the options in mask. */
void opts_print(FILE *f, unsigned mask);
/* Numbers: 0 or -EINVAL.  i64 reads len bytes of s. */
int opts_parse_i64(const char *s, size_t len, int64_t *out);
int opts_parse_u64(const char *s, uint64_t *out);
int opts_parse_seconds(const char *s, double *out);

/* session.c: messages, the connection and calls. */

/* One line on stderr naming the batch line, if any, and the error, and
 * ST_ERR.  err is an errno value of either sign; name is the error's
 * name as the manager gave it. */
int sess_fail(struct sess *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sess_fail_named(struct sess *s, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A usage error, with cmd's synopsis (or a hint when cmd is NULL), and
 * ST_USAGE. */
int sess_usage_err(struct sess *s, const struct cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The keepalive interval the session asks for. */
unsigned sess_keepalive(const struct sess *s);
/* Wait until fd is ready for events, answering the manager's keepalive
 * meanwhile.  0 or -errno. */
int sess_serve_until(struct sess *s, int fd, short events);
/* Begin a request for op on path (NULL: none) with the session's owner. */
int sess_req_begin(struct sess *s, const struct opts *o, struct mgr_req *r, const char *op,
		   const char *path);
/* Send r (which the caller still releases) and wait for its reply.  ST_OK
 * with *rep to release, or an exit status after saying why; a timeout or a
 * would-block is status 3 and is not reported. */
int sess_call(struct sess *s, struct mgr_req *r, struct mgr_reply *rep);
/* The same, but an error the manager answered is left in rep->err for
 * the caller to judge (with sess_check): ST_OK means a reply came, in
 * *rep to release, whatever it says. */
int sess_send(struct sess *s, struct mgr_req *r, struct mgr_reply *rep);
/* What sess_call makes of a reply's error: ST_OK when there is none, else
 * the status after saying why.  rep stays the caller's to release. */
int sess_check(struct sess *s, const struct mgr_reply *rep);
/* Send op on path with the waiting arguments ("timeout" what is left before
 * deadline when deadline is set) and, when n >= 0, member "n". */
int sess_call_op(struct sess *s, const struct opts *o, const char *op, const char *path,
		 double deadline, int64_t n, struct mgr_reply *rep);
/* Seconds on the monotonic clock. */
double sess_now(void);
/* The deadline of a wait that starts now, or 0 for none. */
double sess_deadline(const struct opts *o);
/* The type of the object at path, into type (size len). */
int sess_stat_type(struct sess *s, const struct opts *o, const char *path, char *type,
		   size_t len);
/* Acquire path by deadline: ST_TIMEOUT when the manager said false. */
int sess_acquire(struct sess *s, const struct opts *o, const char *path, double deadline);
/* Give back what was acquired, never waiting. */
int sess_release(struct sess *s, const struct opts *o, const char *path);

/* args.c: arguments and data into requests. */

/* Add "value" or "bytes" for a command-line argument ("-": standard
 * input). */
int args_datum(struct sess *s, const struct opts *o, yajl_gen g, const char *arg);
/* A JSON array of items: the arguments, or the lines of standard input
 * for a single "-". */
int args_item_array(struct sess *s, const struct cmd *cmd, const struct opts *o, yajl_gen g,
		    int argc, char **argv);
/* A JSON object of named values: one JSON object argument, or KEY=VALUE
 * arguments. */
int args_item_object(struct sess *s, const struct cmd *cmd, const struct opts *o, yajl_gen g,
		     int argc, char **argv);
/* START:STOP[:STEP] as members "start", "stop", "step". */
int args_slice(struct sess *s, const struct cmd *cmd, yajl_gen g, const char *arg);
/* "block" and "timeout" of a call that may wait (see sess_call_op). */
int args_wait(struct sess *s, const struct opts *o, yajl_gen g, double deadline);
/* A command that is one request built from its spec. */
int cmd_generic(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
		char **argv);

/* print.c: results on stdout. */

/* v as one line of JSON. */
void print_json(yajl_val v);
/* What g generated, and a newline. */
void print_gen(yajl_gen g);
/* Entries of ls, with -l their type, version and size; items of "items"
 * as NAME<TAB>JSON. */
void print_ls(yajl_val entries, bool long_list);
void print_items(yajl_val items);
/* A path in path syntax as the manager sends it, with its control
 * characters as %XX, as names are printed. */
void print_path(const char *path);
/* Show res as out says (JSON with --json): ST_TIMEOUT for a false
 * OUT_TRUE, else ST_OK. */
int print_out(const struct opts *o, enum out out, yajl_val res);
/* Finish a request built with status st: send it unless building failed,
 * release it, and print its result as out says. */
int print_call(struct sess *s, const struct opts *o, struct mgr_req *r, int st, enum out out);
/* The result of a wait: false is a wait that ended without its condition
 * (status 3), a number (a barrier's index) is printed. */
int print_wait(const struct opts *o, yajl_val res);

/* cmd_data.c: objects, values, containers and lists. */
int cmd_pages(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	      char **argv);
int cmd_new(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	    char **argv);
int cmd_rm(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	   char **argv);
int cmd_items_arg(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
		  char **argv);
int cmd_setitem(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
		char **argv);

/* cmd_bytes.c: a value's content in pieces. */
int cmd_cat(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	    char **argv);
int cmd_store(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	      char **argv);
int cmd_write(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	      char **argv);
int cmd_touch(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	      char **argv);

/* cmd_sync.c: waits, conditions, and commands run holding something. */
int cmd_wait(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	     char **argv);
int cmd_notify(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	       char **argv);
int cmd_lock(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	     char **argv);
int cmd_wait_for(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
		 char **argv);

/* cmd_watch.c */
int cmd_watch(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	      char **argv);
/* The client's on_event: prints the events of the running watch. */
void cmd_watch_event(void *arg, yajl_val ev);

/* cmd_batch.c */
int cmd_batch(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	      char **argv);

#endif
