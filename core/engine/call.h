/* The call record: what a running operation works on, and the helpers
 * every type's operations share to read a request's arguments and write
 * its result.  The server turns each request frame into a mgr_call and
 * hands it to mgr_engine_exec (engine.h); unit tests do the same without
 * a socket. */
#ifndef MGR_CALL_H
#define MGR_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "datum.h"
#include "path.h"

/* Returned by an operation that parked its call; the reply comes later
 * through the session's complete function. */
#define MGR_PARKED 1

struct mgr_store;
struct mgr_session;
struct mgr_obj;

struct mgr_call {
	struct mgr_store *store;
	struct mgr_session *sess;
	uint64_t id;			/* request id */
	uint64_t owner;			/* "owner" member, default 0 */
	uint64_t now;			/* ms, monotonic, when the call began */
	yajl_val args;			/* the whole request object */
	size_t size;			/* bytes of the request's frame, or 0 */
	yajl_gen out;			/* the operation writes its result value here */
	const char *err;		/* message when it fails */
	char errbuf[256];
};

/* An operation: o is the object named by "path" (already resolved and of a
 * type in the entry's mask), or NULL for MGR_OP_NOLOOKUP entries.  Returns
 * 0 with exactly one JSON value written to c->out, MGR_PARKED, or -errno
 * after mgr_call_err. */
typedef int (*mgr_op_fn)(struct mgr_call *c, struct mgr_obj *o);

enum {
	MGR_OP_NOLOOKUP = 1,	/* resolves "path" itself (create, set, rename) */
};

/* An entry of a module's table of operations (see engine.c).  An op name
 * may appear in several tables with disjoint type masks. */
struct mgr_op {
	const char *name;
	uint32_t types;		/* MGR_TYPE_BIT mask of accepted types */
	uint32_t flags;
	mgr_op_fn fn;
};

/* Set c->err from a format and return err (a negative errno). */
int mgr_call_err(struct mgr_call *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* 0 when bytes more fit under the store's memory limit, else -ENOSPC
 * with a message: the call must then change nothing. */
int mgr_call_fits(struct mgr_call *c, uint64_t bytes);
/* 0 when the journal, if any, has room for a change that writes about
 * bytes more than its request carried, else -ENOSPC with a message. */
int mgr_call_room(struct mgr_call *c, uint64_t bytes);
/* 0 when a list or queue of have items may take more, else -ENOSPC with
 * a message naming what (MGR_ITEMS_MAX). */
int mgr_call_items_fit(struct mgr_call *c, const char *what, uint64_t have, uint64_t more);

/* The path member parsed; -EINVAL with a message when absent or bad. */
int mgr_call_path(struct mgr_call *c, const char *member, struct mgr_path *out);
/* The path member as the client wrote it ("" when absent), for messages. */
const char *mgr_call_path_text(struct mgr_call *c, const char *member);

/* Waiting arguments, as Python's: "block" (default true) and "timeout"
 * (seconds, absent or null for none; negative is -EINVAL).  *block is
 * false when the call must not wait; *deadline is 0 for no deadline. */
int mgr_call_wait_args(struct mgr_call *c, bool *block, uint64_t *deadline);

/* The datum a request must carry ("value" or "bytes"); the caller owns
 * it.  -EINVAL when it carries none. */
int mgr_call_datum(struct mgr_call *c, struct mgr_datum **d);
/* Python's index in "index": negative counts from the end; -ERANGE
 * outside [0, len), with what in the message ("list index out of
 * range"). */
int mgr_call_index(struct mgr_call *c, size_t len, const char *what, size_t *out);
/* The "items" member, or with also_value the "value" member when
 * "items" is absent (set accepts either); NULL when neither. */
yajl_val mgr_call_items(struct mgr_call *c, bool also_value);

/* A container's children listed in pages (ls, items), so that any number
 * of them fits in frames: a page starts after the child named by "after"
 * (-ESTALE when it is gone) and ends after "limit" children or about 1 MiB
 * of output; an answer that stops before the last child says "more". */
struct mgr_page {
	struct mgr_obj *first;	/* the page's first child, NULL for none */
	uint64_t limit;
	size_t start;		/* bytes of c->out before the page */
};
int mgr_page_begin(struct mgr_call *c, struct mgr_obj *dir, struct mgr_page *p);
/* Whether the page holds n children and is full. */
bool mgr_page_full(struct mgr_call *c, const struct mgr_page *p, uint64_t n);

/* Results.  Each writes one value to c->out and returns 0; when the
 * generator fails (memory, nesting) the call fails instead. */
int mgr_call_result(struct mgr_call *c, int r);
int mgr_reply_bool(struct mgr_call *c, bool v);
int mgr_reply_u64(struct mgr_call *c, uint64_t v);
/* {"version": N} of o. */
int mgr_reply_version(struct mgr_call *c, const struct mgr_obj *o);
/* {"value": X, "version": N} or {"bytes": B, "version": N}. */
int mgr_reply_datum(struct mgr_call *c, const struct mgr_datum *d, const struct mgr_obj *o);

#endif
