/* Python's own manager protocol in the server (python-wire/SPEC.md):
 * the state its modules share, and one request of a Python client as
 * they all see it.
 *
 * The modules, bottom up: pyconv (Python values and mgrd's data), pykey
 * (dict keys and tree names), pyreg (the objects proxies name), pycall
 * (this: a request, its replies and the engine calls it makes), the
 * methods of each kind of object (pyops.h: pyops_dict, pyops_list,
 * pyops_data, pyops_queue, pyops_sync), pytypes (the typeids and what
 * creates them), pyserve (the server functions and serve_client's
 * dispatch) and pyconn (a Python connection: frames, the handshake,
 * one-shot and persistent connections).
 *
 * A request lives in an arena of its own, which also holds the values of
 * its reply; it ends when its reply is queued.  A request that waits (a
 * queue get on an empty queue, an acquire) is a parked engine call: its
 * request stays with its connection until the engine answers, and is
 * finished from the server's loop, never from inside the engine. */
#ifndef MGR_PYCALL_H
#define MGR_PYCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "conn.h"
#include "dlist.h"
#include "pyauth.h"
#include "pyreg.h"
#include "pyval.h"

/* The folder where the objects Python programs make are. */
#define PYSERVE_DIR "python"

struct pyserve {
	struct mgr_server *srv;
	unsigned char *key;		/* what Python clients must know */
	size_t keylen;
	struct pyreg *reg;
	yajl_gen gen;			/* the engine request being built */
	struct mgr_buf path;		/* scratch for paths */
	struct mgr_dlist resume;	/* struct pyconn.resume_link */
	uint64_t next_name;		/* for the names of objects Python makes */
};

enum pyconn_state {
	PYCONN_AUTH,		/* the handshake */
	PYCONN_FIRST,		/* its first request decides what it is */
	PYCONN_SERVE,		/* persistent: serve_client's loop */
	PYCONN_DONE,		/* one-shot, answered */
};

struct pycall;

/* A Python client's connection (struct conn's py). */
struct pyconn {
	struct conn *c;
	struct pyserve *ps;
	enum pyconn_state state;
	struct mgr_pyauth_server auth;
	struct mgr_pyarena *arena;	/* the address below */
	struct mgr_pyval *address;	/* the listener's, for tokens */
	struct pycall *pending;		/* a call waiting for the engine */
	struct mgr_dlist resume_link;	/* in pyserve.resume */
	uint64_t next_req;
	bool tcp;
	char name[64];			/* accept_connection's name */
};

/* What a parked engine call goes on with when it ends: err 0 and the
 * result, or -errno and msg.  Returns as a method does. */
typedef int (*pycall_done_fn)(struct pycall *x, int err, const char *msg, yajl_val result);

struct pycall {
	struct pyserve *ps;
	struct pyconn *pc;
	struct mgr_pyarena *a;
	struct pyent *ent;		/* the object's entry, NULL in server functions */
	char *ident;			/* its ident, to find it again after a wait */
	struct mgr_obj *o;		/* its object */
	const char *method;
	struct mgr_pyval *args;		/* a tuple */
	struct mgr_pyval *kwds;		/* a dict */
	pycall_done_fn done;
	uintptr_t state;		/* for done's own use */
	struct mgr_pyval *keep;		/* for done's own use */
	/* Exceptions are #TRACEBACKs (server functions: CPython's create
	 * answers every failure so), not #ERRORs. */
	bool traceback;
	bool replied;			/* a reply has been queued */
	/* A parked call's outcome, held until the loop finishes it. */
	bool answered;
	int err;
	char *result, *msg;
	size_t result_len;
	uint64_t req_id;
	char errbuf[256];
};

/* A method has replied (0) or its engine call waits (PYCALL_PARKED). */
#define PYCALL_PARKED 1

/* ---- replies: each queues one frame and returns 0 ---- */

int pycall_return(struct pycall *x, const struct mgr_pyval *v);
int pycall_return_none(struct pycall *x);
int pycall_return_bool(struct pycall *x, bool b);
int pycall_return_int(struct pycall *x, int64_t i);
/* ('#ERROR', module.name(args)); args a tuple or NULL for (). */
int pycall_raise_args(struct pycall *x, const char *module, const char *name,
		      struct mgr_pyval *args);
/* ('#ERROR', module.name(message)), or with a NULL fmt module.name(). */
int pycall_raise(struct pycall *x, const char *module, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* ('#TRACEBACK', text) with the exception line "Name: message", as
 * CPython's format_exc() ends. */
int pycall_traceback(struct pycall *x, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* ('#UNSERIALIZABLE', text). */
int pycall_unserializable(struct pycall *x, const char *what);
/* ('#PROXY', (exposed, Token(typeid, address, ident))). */
int pycall_proxy(struct pycall *x, struct mgr_pyval *exposed, const char *typeid,
		 const char *ident);
/* A reply pickle failed (out of memory, a value too deep): say so. */
int pycall_fail(struct pycall *x, int err);

/* The common Python exceptions, with one str argument. */
#define pycall_type_error(x, ...) pycall_raise(x, "builtins", "TypeError", __VA_ARGS__)
#define pycall_value_error(x, ...) pycall_raise(x, "builtins", "ValueError", __VA_ARGS__)
#define pycall_index_error(x, ...) pycall_raise(x, "builtins", "IndexError", __VA_ARGS__)
#define pycall_runtime_error(x, ...) pycall_raise(x, "builtins", "RuntimeError", __VA_ARGS__)
/* KeyError(key) as Python raises it. */
int pycall_key_error(struct pycall *x, struct mgr_pyval *key);
/* The Token a proxy to ident of typeid carries, for RebuildProxy. */
struct mgr_pyval *pycall_token(struct pycall *x, const char *typeid, const char *ident);

/* ---- arguments ---- */

/* Bind the call's args and kwds to parameters named names[0..n), the
 * first nreq required, as a Python function fname does: out[i] is the
 * value or NULL when not given.  true, or false after replying with
 * Python's TypeError. */
bool pycall_args(struct pycall *x, const char *fname, const char *const *names, size_t nreq,
		 size_t n, struct mgr_pyval **out);
/* The same for a method without parameters. */
bool pycall_no_args(struct pycall *x);

/* ---- the engine ---- */

/* Start an engine request {"op": op, "path": ...} on path (escaped), or
 * with a NULL path on the call's object; add members to pycall_gen(x)
 * before running it.  0 or -ENOMEM. */
int pycall_req(struct pycall *x, const char *op, const char *path);
yajl_gen pycall_gen(struct pycall *x);
/* Run the request now, for operations that never wait: 0 and the result
 * (a tree the caller frees with yajl_tree_free), or -errno with the
 * engine's message in x->errbuf. */
int pycall_run(struct pycall *x, yajl_val *result);
/* Run the request; done gets its outcome, now or once a call that waits
 * ends.  Returns what done returns, or PYCALL_PARKED. */
int pycall_exec(struct pycall *x, pycall_done_fn done);

/* The path of o, escaped, in ps->path (NUL-terminated): 0 or -errno. */
int pycall_path(struct pyserve *ps, const struct mgr_obj *o);

/* The session's complete function for Python connections. */
void pycall_complete(struct mgr_session *sess, uint64_t req_id, int err, const char *msg,
		     const char *result, size_t len);
/* Finish a parked call whose outcome came (from the loop). */
void pycall_finish(struct pycall *x);
void pycall_free(struct pycall *x);

#endif
