/* Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event and Barrier:
 * the engine's, whose waits are parked calls.  A lock is held by the
 * connection that took it (one per client thread, as CPython's server
 * threads are), and goes back when that connection ends. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "pyops.h"

/* Engine errors as threading raises them; x->state names the class. */
static int s_error(struct pycall *x, int err, const char *msg)
{
	if (err == -EPIPE)
		return pycall_raise_args(x, "threading", "BrokenBarrierError", NULL);
	if (err == -EOVERFLOW)
		return pycall_value_error(x, "Semaphore released too many times");
	if (err == -EPERM && x->o && (x->o->type == MGR_LOCK || x->state == 1))
		return pycall_runtime_error(x, "release unlocked lock");
	if (err == -EPERM && x->o && !strcmp(x->method, "release"))
		return pycall_runtime_error(x, "cannot release un-acquired lock");
	if (err == -EPERM)
		return pycall_runtime_error(x, "%s", msg);
	if (err == -EINVAL)
		return pycall_value_error(x, "%s", msg);
	return pycall_traceback(x, err == -ENOENT ? "ReferenceError" : "RuntimeError", "%s", msg);
}

static int done_bool(struct pycall *x, int err, const char *msg, yajl_val result)
{
	return err ? s_error(x, err, msg) : pycall_return_bool(x, YAJL_IS_TRUE(result));
}

static int done_none(struct pycall *x, int err, const char *msg, yajl_val result)
{
	return err ? s_error(x, err, msg) : pycall_return_none(x);
}

static int done_int(struct pycall *x, int err, const char *msg, yajl_val result)
{
	if (err)
		return s_error(x, err, msg);
	return pycall_return_int(x, YAJL_IS_INTEGER(result) ? YAJL_GET_INTEGER(result) : 0);
}

/* The Lock or RLock a Condition was made around (m.Condition(lock)),
 * whose path is then in ps->path; NULL for any other object. */
static struct mgr_obj *shared_lock(struct pycall *x)
{
	struct pyent *e;

	if (!x->o || x->o->type != MGR_CONDITION || !x->ent || x->ent->kind != PYENT_COND_LOCK ||
	    !x->ent->lock_ident)
		return NULL;
	e = pyreg_get(x->ps->reg, x->ent->lock_ident, strlen(x->ent->lock_ident));
	if (!e || !e->obj || pycall_path(x->ps, e->obj) < 0)
		return NULL;
	return e->obj;
}

/* The engine's op on the object, with a wait when block; a Condition's
 * acquire, release and locked go to the lock it shares. */
static int run(struct pycall *x, const char *op, bool wait, bool block, bool has, double secs,
	       pycall_done_fn done)
{
	struct mgr_obj *lock = strcmp(op, "acquire") && strcmp(op, "release") &&
			       strcmp(op, "locked") ? NULL : shared_lock(x);
	int r;

	if (lock && lock->type == MGR_LOCK)
		x->state = 1;
	r = pycall_req(x, op, lock ? x->ps->path.data : NULL);

	if (!r && wait)
		r = pyops_gen_wait(x, block, has, secs);
	return r < 0 ? pycall_fail(x, r) : pycall_exec(x, done);
}

/* ---- the acquirers ---- */

/* acquire(blocking=True, timeout=...): its arguments, Python's way
 * (Lock and RLock: timeout -1 for none; a Semaphore: None).  False after
 * replying. */
static bool acquire_args(struct pycall *x, bool sem, bool *block, bool *has, double *secs)
{
	static const char *const names[] = { "blocking", "timeout" };
	struct mgr_pyval *a[2];

	if (!pycall_args(x, "acquire", names, 0, 2, a))
		return false;
	*block = pyops_truth(a[0], true);
	if (!pyops_timeout(x, a[1], has, secs))
		return false;
	if (!sem && *has && *secs == -1)
		*has = false;
	if (!*block && *has) {
		pycall_value_error(x, sem ? "can't specify timeout for non-blocking acquire" :
				   "can't specify a timeout for a non-blocking call");
		return false;
	}
	if (sem && *has && *secs < 0)
		*secs = 0;
	if (*has && (*secs < 0 || isnan(*secs))) {
		pycall_value_error(x, "timeout value must be a non-negative number");
		return false;
	}
	if (*has && *secs > 9223372036.0) {
		pycall_raise(x, "builtins", "OverflowError",
			     "timestamp too large to convert to C _PyTime_t");
		return false;
	}
	return true;
}

static int lock_acquire(struct pycall *x)
{
	bool block, has;
	double secs;

	if (!acquire_args(x, false, &block, &has, &secs))
		return 0;
	return run(x, "acquire", true, block, has, secs, done_bool);
}

static int sem_acquire(struct pycall *x)
{
	bool block, has;
	double secs;

	if (!acquire_args(x, true, &block, &has, &secs))
		return 0;
	return run(x, "acquire", true, block, has, secs, done_bool);
}

static int release(struct pycall *x)
{
	static const char *const names[] = { "n" };
	struct mgr_pyval *a[1];
	int64_t n = 1;
	int r;

	if (x->o->type != MGR_SEMAPHORE && x->o->type != MGR_BSEMAPHORE)
		return pycall_no_args(x) ? run(x, "release", false, 0, 0, 0, done_none) : 0;
	if (!pycall_args(x, "release", names, 0, 1, a))
		return 0;
	if (a[0] && mgr_pyval_get_int(a[0], &n) < 0)
		return pycall_type_error(x, "'%s' object cannot be interpreted as an integer",
					 mgr_pyval_type_name(a[0]));
	if (n < 1)
		return pycall_value_error(x, "n must be one or more");
	r = pycall_req(x, "release", NULL);
	if (!r)
		r = mgr_json_kv_i64(pycall_gen(x), "n", n);
	return r < 0 ? pycall_fail(x, r) : pycall_exec(x, done_none);
}

static int locked(struct pycall *x)
{
	return pycall_no_args(x) ? run(x, "locked", false, 0, 0, 0, done_bool) : 0;
}

static long long stat_int(yajl_val st, const char *key)
{
	yajl_val v = mgr_json_get(st, key);

	return v && YAJL_IS_INTEGER(v) ? (long long)YAJL_GET_INTEGER(v) : 0;
}

/* "<locked _thread.RLock object owner=N count=1 at 0x...>", as _thread's
 * locks show themselves (the owner is the holding connection), inside
 * "<Condition(..., waiters)>" for a Condition. */
static int lock_repr(struct pycall *x, struct mgr_buf *out)
{
	char text[200], owner[40] = "";
	int r = pycall_req(x, "stat", NULL), n;
	const char *state;
	yajl_val st, v;

	if (!r)
		r = pycall_run(x, &st);
	if (r < 0)
		return r;
	v = mgr_json_get(st, "locked");
	state = v && YAJL_IS_TRUE(v) ? "locked" : "unlocked";
	v = mgr_json_get(st, "owner");
	if (x->o->type != MGR_LOCK)
		snprintf(owner, sizeof(owner), " owner=%llu count=%lld",
			 v && YAJL_IS_OBJECT(v) ? (unsigned long long)x->pc->c->sess.id : 0ull,
			 stat_int(st, "count"));
	if (x->o->type == MGR_CONDITION)
		n = snprintf(text, sizeof(text), "<Condition(<%s _thread.RLock object%s at %p>, %lld)>",
			     state, owner, (void *)x->o, stat_int(st, "n_waiting"));
	else
		n = snprintf(text, sizeof(text), "<%s _thread.%s object%s at %p>", state,
			     x->o->type == MGR_LOCK ? "lock" : "RLock", owner, (void *)x->o);
	yajl_tree_free(st);
	return mgr_buf_append(out, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

static int s_repr(struct pycall *x, struct mgr_buf *out)
{
	static const char *const cls[] = {
		[MGR_LOCK] = "_thread.lock", [MGR_RLOCK] = "_thread.RLock",
		[MGR_SEMAPHORE] = "threading.Semaphore", [MGR_BSEMAPHORE] = "threading.BoundedSemaphore",
		[MGR_EVENT] = "threading.Event", [MGR_CONDITION] = "threading.Condition",
		[MGR_BARRIER] = "threading.Barrier",
	};

	if (x->o->type == MGR_LOCK || x->o->type == MGR_RLOCK || x->o->type == MGR_CONDITION)
		return lock_repr(x, out);
	return pyops_default_repr(x, x->o->type < sizeof(cls) / sizeof(cls[0]) &&
				  cls[x->o->type] ? cls[x->o->type] : "object", out);
}

static const struct pymethod lock_methods[] = {
	{ "acquire", lock_acquire }, { "release", release }, { "locked", locked },
	{ NULL, NULL },
};

static const struct pymethod sem_methods[] = {
	{ "acquire", sem_acquire }, { "release", release },
	{ NULL, NULL },
};

const struct pytype pyops_lock = {
	.name = "_thread.lock", .proxy = "AcquirerProxy", .typeid = "Lock",
	.methods = lock_methods, .repr = s_repr,
};

const struct pytype pyops_rlock = {
	.name = "_thread.RLock", .proxy = "AcquirerProxy", .typeid = "RLock",
	.methods = lock_methods, .repr = s_repr,
};

const struct pytype pyops_sem = {
	.name = "threading.Semaphore", .proxy = "AcquirerProxy", .typeid = "Semaphore",
	.methods = sem_methods, .repr = s_repr,
};

const struct pytype pyops_bsem = {
	.name = "threading.BoundedSemaphore", .proxy = "AcquirerProxy",
	.typeid = "BoundedSemaphore", .methods = sem_methods, .repr = s_repr,
};

/* ---- Condition ---- */

/* ---- a Condition around a Lock of its own (m.Condition(lock)) ----
 *
 * The engine's Condition has a lock inside; one made around a Lock proxy
 * shares that Lock instead, as Python's does: wait releases the Lock,
 * waits on the Condition (taking and giving back its inner lock around
 * the engine's wait), then takes the Lock again, each step a parked call
 * that goes on from the last. */

/* The op on the shared lock (at its path) or on the Condition itself. */
static int step(struct pycall *x, const char *op, bool on_lock, bool wait, bool has,
		double secs, pycall_done_fn done)
{
	int r;

	if (on_lock && !shared_lock(x))
		return pycall_traceback(x, "ReferenceError", "the Condition's lock is gone");
	r = pycall_req(x, op, on_lock ? x->ps->path.data : NULL);
	if (!r && wait)
		r = pyops_gen_wait(x, true, has, secs);
	if (!r && !strcmp(op, "notify"))
		r = mgr_json_kv_i64(pycall_gen(x), "n", (int64_t)x->state);
	return r < 0 ? pycall_fail(x, r) : pycall_exec(x, done);
}

static int sw_done(struct pycall *x, int err, const char *msg, yajl_val result)
{
	return err ? s_error(x, err, msg) : pycall_return_bool(x, x->state);
}

static int sw_relocked(struct pycall *x, int err, const char *msg, yajl_val result)
{
	yajl_val res;

	if (err)
		return s_error(x, err, msg);
	if (!pycall_req(x, "release", NULL) && !pycall_run(x, &res))
		yajl_tree_free(res);
	return step(x, "acquire", true, true, false, 0, sw_done);
}

static int sw_waited(struct pycall *x, int err, const char *msg, yajl_val result)
{
	if (err)
		return s_error(x, err, msg);
	x->state = YAJL_IS_TRUE(result);
	return sw_relocked(x, 0, NULL, NULL);
}

static int sw_inner(struct pycall *x, int err, const char *msg, yajl_val result)
{
	bool has = x->keep != NULL;
	double secs = has ? x->keep->u.f : 0;

	if (err)
		return s_error(x, err, msg);
	return step(x, "wait", false, true, has, secs, sw_waited);
}

/* The shared lock is held (Python's _is_owned for a Lock): 1, 0, or -1
 * after replying. */
static int shared_held(struct pycall *x)
{
	yajl_val res;
	int r = pycall_req(x, "locked", x->ps->path.data), held;

	if (!r)
		r = pycall_run(x, &res);
	if (r < 0) {
		pycall_fail(x, r);
		return -1;
	}
	held = YAJL_IS_TRUE(res);
	yajl_tree_free(res);
	return held;
}

static int shared_wait(struct pycall *x, bool has, double secs)
{
	yajl_val res;
	int r = shared_held(x);

	if (r <= 0)
		return r < 0 ? 0 : pycall_runtime_error(x, "cannot wait on un-acquired lock");
	x->keep = has ? mgr_pyval_float(x->a, secs) : NULL;
	r = pycall_req(x, "release", x->ps->path.data);
	if (!r)
		r = pycall_run(x, &res);
	if (r < 0)
		return pycall_fail(x, r);
	yajl_tree_free(res);
	return step(x, "acquire", false, true, false, 0, sw_inner);
}

static int sn_notified(struct pycall *x, int err, const char *msg, yajl_val result)
{
	yajl_val res;

	if (err)
		return s_error(x, err, msg);
	if (!pycall_req(x, "release", NULL) && !pycall_run(x, &res))
		yajl_tree_free(res);
	return pycall_return_none(x);
}

static int sn_inner(struct pycall *x, int err, const char *msg, yajl_val result)
{
	if (err)
		return s_error(x, err, msg);
	return step(x, x->state == (uintptr_t)-1 ? "notify_all" : "notify", false, false, false, 0,
		    sn_notified);
}

static int shared_notify(struct pycall *x, uintptr_t n)
{
	int r = shared_held(x);

	if (r <= 0)
		return r < 0 ? 0 : pycall_runtime_error(x, "cannot notify on un-acquired lock");
	x->state = n;
	return step(x, "acquire", false, true, false, 0, sn_inner);
}

/* wait(timeout=None) of a Condition or an Event. */
static int wait(struct pycall *x)
{
	static const char *const names[] = { "timeout" };
	struct mgr_pyval *a[1];
	bool has;
	double secs;

	if (!pycall_args(x, "wait", names, 0, 1, a) || !pyops_timeout(x, a[0], &has, &secs))
		return 0;
	if (has && (secs < 0 || isnan(secs)))
		secs = 0;
	if (shared_lock(x))
		return shared_wait(x, has, secs);
	return run(x, "wait", true, true, has, secs,
		   x->o->type == MGR_BARRIER ? done_int : done_bool);
}

static int notify(struct pycall *x)
{
	static const char *const names[] = { "n" };
	struct mgr_pyval *a[1];
	int64_t n = 1;
	int r;

	if (!pycall_args(x, "notify", names, 0, 1, a))
		return 0;
	if (a[0] && mgr_pyval_get_int(a[0], &n) < 0)
		return pycall_type_error(x, "'%s' object cannot be interpreted as an integer",
					 mgr_pyval_type_name(a[0]));
	if (shared_lock(x))
		return shared_notify(x, (uintptr_t)(n < 0 ? 0 : n));
	r = pycall_req(x, "notify", NULL);
	if (!r)
		r = mgr_json_kv_i64(pycall_gen(x), "n", n < 0 ? 0 : n);
	return r < 0 ? pycall_fail(x, r) : pycall_exec(x, done_none);
}

static int notify_all(struct pycall *x)
{
	if (!pycall_no_args(x))
		return 0;
	if (shared_lock(x))
		return shared_notify(x, (uintptr_t)-1);
	return run(x, "notify_all", false, 0, 0, 0, done_none);
}

static const struct pymethod cond_methods[] = {
	{ "acquire", lock_acquire }, { "release", release }, { "wait", wait },
	{ "notify", notify }, { "notify_all", notify_all }, { "locked", locked },
	{ NULL, NULL },
};

const struct pytype pyops_cond = {
	.name = "threading.Condition", .proxy = "ConditionProxy", .typeid = "Condition",
	.methods = cond_methods, .repr = s_repr,
};

/* ---- Event ---- */

static int ev_simple(struct pycall *x, const char *op, pycall_done_fn done)
{
	return pycall_no_args(x) ? run(x, op, false, 0, 0, 0, done) : 0;
}

static int ev_is_set(struct pycall *x)
{
	return ev_simple(x, "is_set", done_bool);
}

static int ev_set(struct pycall *x)
{
	return ev_simple(x, "set", done_none);
}

static int ev_clear(struct pycall *x)
{
	return ev_simple(x, "clear", done_none);
}

static const struct pymethod event_methods[] = {
	{ "is_set", ev_is_set }, { "set", ev_set }, { "clear", ev_clear }, { "wait", wait },
	{ NULL, NULL },
};

const struct pytype pyops_event = {
	.name = "threading.Event", .proxy = "EventProxy", .typeid = "Event",
	.methods = event_methods, .repr = s_repr,
};

/* ---- Barrier ---- */

static int b_abort(struct pycall *x)
{
	return ev_simple(x, "abort", done_none);
}

static int b_reset(struct pycall *x)
{
	return ev_simple(x, "reset", done_none);
}

/* The properties, as BarrierProxy reads them. */
static int b_getattr(struct pycall *x)
{
	static const char *const names[] = { "name" };
	static const char *const props[] = { "parties", "n_waiting", "broken" };
	struct mgr_pyval *a[1];
	size_t i;

	if (!pycall_args(x, "__getattribute__", names, 1, 1, a))
		return 0;
	for (i = 0; i < 3; i++)
		if (mgr_pyval_is_str(a[0], props[i]))
			return run(x, props[i], false, 0, 0, 0, i == 2 ? done_bool : done_int);
	if (a[0]->kind != MGR_PYVAL_STR)
		return pycall_type_error(x, "attribute name must be string, not '%s'",
					 mgr_pyval_type_name(a[0]));
	return pycall_raise(x, "builtins", "AttributeError",
			    "'Barrier' object has no attribute '%.*s'", (int)a[0]->u.s.len,
			    (const char *)a[0]->u.s.data);
}

static const struct pymethod barrier_methods[] = {
	{ "__getattribute__", b_getattr }, { "abort", b_abort }, { "reset", b_reset },
	{ "wait", wait },
	{ NULL, NULL },
};

const struct pytype pyops_barrier = {
	.name = "threading.Barrier", .proxy = "BarrierProxy", .typeid = "Barrier",
	.methods = barrier_methods, .repr = s_repr,
};
