/* Operations: the table that maps a request's "op" to the code that runs
 * it, and the call record a running operation works on.  The server turns
 * each request frame into a mgr_call and hands it to mgr_ops_exec; unit
 * tests do the same without a socket. */
#ifndef MGR_OPS_H
#define MGR_OPS_H

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "store.h"
#include "wait.h"

/* Returned by an operation that parked its call; the reply comes later
 * through the session's complete function. */
#define MGR_PARKED 1

struct mgr_call {
	struct mgr_store *store;
	struct mgr_session *sess;
	uint64_t id;			/* request id */
	uint64_t owner;			/* "owner" member, default 0 */
	uint64_t now;			/* ms, monotonic, when the call began */
	yajl_val args;			/* the whole request object */
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

struct mgr_op {
	const char *name;
	uint32_t types;		/* MGR_TYPE_BIT mask of accepted types */
	uint32_t flags;
	mgr_op_fn fn;
};

/* Each module exports its entries; ops.c searches them in turn.  An op name
 * may appear in several tables with disjoint type masks. */
extern const struct mgr_op mgr_ops_tree[];	/* ops_tree.c: stat, ls, create, ... */
extern const struct mgr_op mgr_ops_data[];	/* ops_data.c: value, dict, list, array */
extern const struct mgr_op mgr_ops_queue[];	/* ops_queue.c */
extern const struct mgr_op mgr_ops_sync[];	/* ops_sync.c: locks ... barrier */

/* Set a value child of container dir for each name in the JSON object
 * items (ops_data.c).  Every name and datum is checked before the first
 * change.  0, or -errno after mgr_call_err. */
int mgr_dict_update(struct mgr_call *c, struct mgr_obj *dir, yajl_val items);

/* Run c: find the op, resolve "path", check the type, call it.  Returns as
 * the operation does; unknown op is -ENOSYS, wrong type -ENOTSUP, bad or
 * missing arguments -EINVAL, each with a message in c->err. */
int mgr_ops_exec(struct mgr_call *c);

/* Set c->err from a format and return err (a negative errno). */
int mgr_call_err(struct mgr_call *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The path member parsed; -EINVAL with a message when absent or bad. */
int mgr_call_path(struct mgr_call *c, const char *member, struct mgr_path *out);

/* Waiting arguments, as Python's: "block" (default true) and "timeout"
 * (seconds, absent or null for none; negative is -EINVAL).  *block is
 * false when the call must not wait; *deadline is 0 for no deadline. */
int mgr_call_wait_args(struct mgr_call *c, bool *block, uint64_t *deadline);

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

#endif
