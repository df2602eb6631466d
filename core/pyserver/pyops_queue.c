/* Queue and JoinableQueue: the engine's queue, whose waits are parked
 * calls; items are Python values as pyconv.h stores them. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "json.h"
#include "pyconv.h"
#include "pyops.h"

enum { Q_GET, Q_PUT, Q_OTHER };

/* Engine errors as Python's queue raises them. */
static int q_error(struct pycall *x, int err, const char *msg)
{
	if (err == -EAGAIN && x->ent && x->ent->shut)
		return pycall_raise_args(x, "queue", "ShutDown", NULL);
	if ((err == -EAGAIN || err == -ETIMEDOUT) && x->state == Q_GET)
		return pycall_raise_args(x, "_queue", "Empty", NULL);
	if ((err == -EAGAIN || err == -ETIMEDOUT) && x->state == Q_PUT)
		return pycall_raise_args(x, "queue", "Full", NULL);
	if (err == -EINVAL)
		return pycall_value_error(x, "%s", msg);
	if (err == -EFBIG)
		return pycall_raise(x, "builtins", "MemoryError", "%s", msg);
	return pycall_traceback(x, err == -ENOENT ? "ReferenceError" : "RuntimeError", "%s", msg);
}

static int done_item(struct pycall *x, int err, const char *msg, yajl_val result)
{
	struct mgr_pyval *v;
	int r;

	if (err)
		return q_error(x, err, msg);
	r = pyconv_from_holder(x->a, result, &v);
	return r < 0 ? pycall_fail(x, r) : pycall_return(x, v);
}

static int done_none(struct pycall *x, int err, const char *msg, yajl_val result)
{
	return err ? q_error(x, err, msg) : pycall_return_none(x);
}

static int done_bool(struct pycall *x, int err, const char *msg, yajl_val result)
{
	return err ? q_error(x, err, msg) : pycall_return_bool(x, YAJL_IS_TRUE(result));
}

static int done_int(struct pycall *x, int err, const char *msg, yajl_val result)
{
	if (err)
		return q_error(x, err, msg);
	return pycall_return_int(x, YAJL_IS_INTEGER(result) ? YAJL_GET_INTEGER(result) : 0);
}

/* block and timeout as queue.Queue takes them: false after replying. */
static bool wait_args(struct pycall *x, struct mgr_pyval *b, struct mgr_pyval *t, bool *block,
		      bool *has, double *secs)
{
	*block = pyops_truth(b, true);
	if (!pyops_timeout(x, t, has, secs))
		return false;
	if (*block && *has && (*secs < 0 || isnan(*secs))) {
		pycall_value_error(x, "'timeout' must be a non-negative number");
		return false;
	}
	if (!*block)
		*has = false;
	return true;
}

static int start(struct pycall *x, const char *op, int kind)
{
	x->state = kind;
	return pycall_req(x, op, NULL);
}

static int q_get_common(struct pycall *x, struct mgr_pyval *b, struct mgr_pyval *t)
{
	bool block, has;
	double secs;
	int r;

	if (!wait_args(x, b, t, &block, &has, &secs))
		return 0;
	/* A shut queue gives what it holds, then raises ShutDown. */
	if (x->ent->shut)
		block = has = false;
	r = start(x, "get", Q_GET);
	if (!r)
		r = pyops_gen_wait(x, block, has, secs);
	return r < 0 ? pycall_fail(x, r) : pycall_exec(x, done_item);
}

static int q_get(struct pycall *x)
{
	static const char *const names[] = { "block", "timeout" };
	struct mgr_pyval *a[2];

	return pycall_args(x, "get", names, 0, 2, a) ? q_get_common(x, a[0], a[1]) : 0;
}

static int q_get_nowait(struct pycall *x)
{
	return pycall_no_args(x) ? q_get_common(x, mgr_pyval_bool(false), NULL) : 0;
}

static int q_put_common(struct pycall *x, struct mgr_pyval *item, struct mgr_pyval *b,
			struct mgr_pyval *t)
{
	bool block, has;
	double secs;
	int r;

	if (!wait_args(x, b, t, &block, &has, &secs))
		return 0;
	if (x->ent && x->ent->shut)
		return pycall_raise_args(x, "queue", "ShutDown", NULL);
	pyops_mark_refs(x, item);
	r = start(x, "put", Q_PUT);
	if (!r)
		r = pyconv_gen_members(pycall_gen(x), item);
	if (!r)
		r = pyops_gen_wait(x, block, has, secs);
	if (r == -EFBIG)
		return pycall_raise(x, "builtins", "MemoryError", "an item larger than mgrd keeps");
	return r < 0 ? pycall_fail(x, r) : pycall_exec(x, done_none);
}

static int q_put(struct pycall *x)
{
	static const char *const names[] = { "item", "block", "timeout" };
	struct mgr_pyval *a[3];

	return pycall_args(x, "put", names, 1, 3, a) ? q_put_common(x, a[0], a[1], a[2]) : 0;
}

static int q_put_nowait(struct pycall *x)
{
	static const char *const names[] = { "item" };
	struct mgr_pyval *a[1];

	return pycall_args(x, "put_nowait", names, 1, 1, a) ?
	       q_put_common(x, a[0], mgr_pyval_bool(false), NULL) : 0;
}

static int simple(struct pycall *x, const char *op, pycall_done_fn done)
{
	int r;

	if (!pycall_no_args(x))
		return 0;
	r = start(x, op, Q_OTHER);
	return r < 0 ? pycall_fail(x, r) : pycall_exec(x, done);
}

static int q_qsize(struct pycall *x)
{
	return simple(x, "qsize", done_int);
}

static int q_empty(struct pycall *x)
{
	return simple(x, "empty", done_bool);
}

static int q_full(struct pycall *x)
{
	return simple(x, "full", done_bool);
}

static int q_task_done(struct pycall *x)
{
	return simple(x, "task_done", done_none);
}

static int q_join(struct pycall *x)
{
	return simple(x, "join", done_none);
}

/* shutdown(immediate=False), 3.13: puts raise ShutDown from now on; with
 * immediate the queue is emptied too.  mgrd's engine has no shut state,
 * so what is kept is Python's side of it. */
static int q_shutdown(struct pycall *x)
{
	static const char *const names[] = { "immediate" };
	struct mgr_pyval *a[1];
	yajl_val res;
	int r = 0;

	if (!pycall_args(x, "shutdown", names, 0, 1, a))
		return 0;
	x->ent->shut = true;
	while (pyops_truth(a[0], false) && r == 0) {
		r = start(x, "get", Q_GET);
		if (!r)
			r = pyops_gen_wait(x, false, false, 0);
		if (!r)
			r = pycall_run(x, &res);
		if (!r)
			yajl_tree_free(res);
	}
	return pycall_return_none(x);
}

static const struct pymethod queue_methods[] = {
	{ "empty", q_empty }, { "full", q_full }, { "get", q_get }, { "get_nowait", q_get_nowait },
	{ "join", q_join }, { "put", q_put }, { "put_nowait", q_put_nowait }, { "qsize", q_qsize },
	{ "task_done", q_task_done }, { "shutdown", q_shutdown },
	{ NULL, NULL },
};

static int q_repr(struct pycall *x, struct mgr_buf *out)
{
	return pyops_default_repr(x, "queue.Queue", out);
}

const struct pytype pyops_queue = {
	.name = "Queue", .proxy = "AutoProxy", .typeid = "Queue", .methods = queue_methods,
	.repr = q_repr,
};
