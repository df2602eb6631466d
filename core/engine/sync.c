/* The synchronisation types, with Python's threading semantics: Lock,
 * RLock, Semaphore, BoundedSemaphore, Event, Condition and Barrier.
 *
 * What a caller has (a lock, RLock levels, semaphore units) is a hold of
 * its (session, owner), so that a session that ends gives it all back.
 * Parked calls wait in two FIFO lists: lockq for acquires (and a
 * Condition's re-acquire after wait), waitq for Event, Condition and
 * Barrier waits.  Invariant: acquirers wait only while the lock is held or
 * the semaphore is at zero, so whoever frees something calls grant(). */
#include "sync.h"

#include <errno.h>
#include <stdlib.h>

#include "image.h"
#include "json.h"
#include "wait.h"

#define BIT(t) MGR_TYPE_BIT(t)
#define LOCK BIT(MGR_LOCK)
#define RLOCK BIT(MGR_RLOCK)
#define COND BIT(MGR_CONDITION)
#define SEM (BIT(MGR_SEMAPHORE) | BIT(MGR_BSEMAPHORE))
#define EVENT BIT(MGR_EVENT)
#define BARRIER BIT(MGR_BARRIER)

enum {
	W_ACQUIRE,	/* in lockq: an acquire */
	W_RELOCK,	/* in lockq: a Condition wait taking its lock back;
			 * arg.u levels to restore, arg2 1 if notified */
	W_WAIT,		/* in waitq; a Condition's arg.u is its levels */
};

struct sync {
	struct mgr_dlist holds;		/* struct mgr_hold.obj_link */
	struct mgr_dlist lockq;
	struct mgr_dlist waitq;
	uint64_t value;			/* semaphores: free units */
	uint64_t initial;		/* BoundedSemaphore: the ceiling */
	uint64_t parties;		/* Barrier */
	uint64_t timeout_ms;		/* Barrier: default wait timeout */
	bool has_timeout;
	bool flag;			/* Event: set; Barrier: broken */
};

static struct sync *sync_of(struct mgr_obj *o)
{
	return o->u.state;
}

static bool is_type(const struct mgr_obj *o, uint32_t mask)
{
	return BIT(o->type) & mask;
}

static struct mgr_hold *holder(struct sync *st)
{
	return mgr_dlist_first(&st->holds, struct mgr_hold, obj_link);
}

static bool holds_it(const struct mgr_hold *h, const struct mgr_call *c)
{
	return h && h->sess == c->sess && h->owner == c->owner;
}

static const char *abort_msg(int reason)
{
	return reason == -ENOENT ? "object deleted" :
	       reason == -ETIMEDOUT ? "timed out" : "cancelled";
}

/* ---- answering parked calls ---- */

static void answer_bool(struct mgr_store *s, struct mgr_waiter *w, bool v)
{
	yajl_gen g = mgr_waiter_gen(s);

	if (yajl_gen_bool(g, v) != yajl_gen_status_ok)
		mgr_waiter_fail(s, w, -ENOMEM, "cannot build the result");
	else
		mgr_waiter_done(s, w, g);
}

static void answer_u64(struct mgr_store *s, struct mgr_waiter *w, uint64_t v)
{
	yajl_gen g = mgr_waiter_gen(s);

	if (mgr_json_gen_u64(g, v) < 0)
		mgr_waiter_fail(s, w, -ENOMEM, "cannot build the result");
	else
		mgr_waiter_done(s, w, g);
}

static void fail_all(struct mgr_store *s, struct mgr_dlist *l, int err, const char *msg)
{
	struct mgr_waiter *w;

	while ((w = mgr_dlist_first(l, struct mgr_waiter, obj_link)))
		mgr_waiter_fail(s, w, err, msg);
}

/* ---- taking and giving back ---- */

/* Give (sess, owner) levels of a free lock, or one more unit of a
 * semaphore.  Returns 1 when taken, 0 when it is not free, -ENOMEM. */
static int take(struct mgr_obj *o, struct mgr_session *sess, uint64_t owner, uint64_t levels)
{
	struct sync *st = sync_of(o);
	struct mgr_hold *h = holder(st);

	if (is_type(o, SEM)) {
		if (!st->value)
			return 0;
		h = mgr_hold_find(&st->holds, sess, owner);
		if (!h)
			h = mgr_hold_new(&st->holds, o, sess, owner);
		if (!h)
			return -ENOMEM;
		h->count++;
		st->value--;
		return 1;
	}
	/* An RLock or a Condition's lock is reentrant for its owner; a
	 * Lock is not, so its holder waits on itself, as in Python. */
	if (h) {
		if (is_type(o, LOCK) || h->sess != sess || h->owner != owner)
			return 0;
		h->count += levels;
		return 1;
	}
	h = mgr_hold_new(&st->holds, o, sess, owner);
	if (!h)
		return -ENOMEM;
	h->count = levels;
	return 1;
}

/* Hand what is free to the acquirers in lockq, oldest first. */
static void grant(struct mgr_store *s, struct mgr_obj *o)
{
	struct sync *st = sync_of(o);
	struct mgr_waiter *w;
	int r;

	while ((w = mgr_dlist_first(&st->lockq, struct mgr_waiter, obj_link))) {
		r = take(o, w->sess, w->owner, w->kind == W_RELOCK ? w->arg.u : 1);
		if (r == 0)
			break;
		if (r < 0)
			mgr_waiter_fail(s, w, r, "out of memory");
		else if (w->kind == W_RELOCK)
			answer_bool(s, w, w->arg2);
		else
			answer_bool(s, w, true);
	}
}

/* A session that held h ended. */
static void sync_drop_hold(struct mgr_store *s, struct mgr_hold *h)
{
	struct mgr_obj *o = h->obj;

	if (is_type(o, SEM))
		sync_of(o)->value += h->count;
	mgr_hold_free(h);
	grant(s, o);
	mgr_store_changed(s, o, MGR_CHANGE_UPDATE);
}

/* Give n semaphore units back from holds: the caller's first, then the
 * oldest holders'.  Python lets anyone release a semaphore; taking the
 * units off somebody's hold keeps the units held never more than those
 * taken, so a session that ends later cannot give back units twice. */
static void sem_unhold(struct sync *st, struct mgr_call *c, uint64_t n)
{
	struct mgr_hold *h = mgr_hold_find(&st->holds, c->sess, c->owner);
	uint64_t k;

	while (n && (h || (h = holder(st)))) {
		k = h->count < n ? h->count : n;
		h->count -= k;
		n -= k;
		if (!h->count)
			mgr_hold_free(h);
		h = NULL;
	}
}

/* ---- parked calls ending early ---- */

static void break_barrier(struct mgr_store *s, struct sync *st, const char *why)
{
	st->flag = true;
	fail_all(s, &st->waitq, -EPIPE, why);
}

static void sync_abort(struct mgr_store *s, struct mgr_waiter *w, int reason)
{
	struct mgr_obj *o = w->obj;
	struct sync *st = sync_of(o);

	if (reason != -ETIMEDOUT) {
		/* Cancelled or deleted: the call leaves and takes nothing.
		 * An acquirer waits only while nothing is free, and a
		 * barrier counts only who is still waiting, so nobody else
		 * is affected. */
		mgr_waiter_fail(s, w, reason, abort_msg(reason));
	} else if (w->kind == W_ACQUIRE) {
		answer_bool(s, w, false);
	} else if (is_type(o, EVENT)) {
		answer_bool(s, w, st->flag);
	} else if (is_type(o, COND)) {
		/* Python's Condition.wait takes its lock back, without a
		 * timeout, before it answers false. */
		w->kind = W_RELOCK;
		w->arg2 = 0;
		mgr_waiter_requeue(s, w, &st->lockq, 0);
		grant(s, o);
	} else {
		break_barrier(s, st, "barrier broken: a wait timed out");
	}
	mgr_store_changed(s, o, MGR_CHANGE_UPDATE);
}

/* ---- operations ---- */

static int changed_true(struct mgr_call *c, struct mgr_obj *o)
{
	mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
	return mgr_reply_bool(c, true);
}

static bool expired(const struct mgr_call *c, bool block, uint64_t deadline)
{
	return !block || (deadline && deadline <= c->now);
}

static struct mgr_waiter *park(struct mgr_call *c, struct mgr_obj *o, struct mgr_dlist *q,
			       int kind, uint64_t deadline)
{
	return mgr_waiter_park(c, o, q, kind, deadline, sync_abort);
}

/* A call parked: its object shows one more waiter. */
static int parked(struct mgr_call *c, struct mgr_obj *o)
{
	mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
	return MGR_PARKED;
}

static int op_acquire(struct mgr_call *c, struct mgr_obj *o)
{
	struct sync *st = sync_of(o);
	uint64_t deadline;
	bool block;
	int r;

	r = mgr_call_wait_args(c, &block, &deadline);
	if (r < 0)
		return r;
	r = take(o, c->sess, c->owner, 1);
	if (r < 0)
		return mgr_call_err(c, r, "out of memory");
	if (r)
		return changed_true(c, o);
	/* Python answers False when it may not wait or the time is up. */
	if (expired(c, block, deadline))
		return mgr_reply_bool(c, false);
	if (!park(c, o, &st->lockq, W_ACQUIRE, deadline))
		return mgr_call_err(c, -ENOMEM, "out of memory");
	return parked(c, o);
}

static int sem_release(struct mgr_call *c, struct mgr_obj *o)
{
	struct sync *st = sync_of(o);
	uint64_t n = 1;

	if (mgr_json_get_u64(c->args, "n", &n) == -EINVAL || n < 1)
		return mgr_call_err(c, -EINVAL, "\"n\" must be one or more");
	if (st->value + n < n ||
	    (o->type == MGR_BSEMAPHORE && st->value + n > st->initial))
		return mgr_call_err(c, -EOVERFLOW, "semaphore released too many times");
	sem_unhold(st, c, n);
	st->value += n;
	grant(c->store, o);
	return changed_true(c, o);
}

static int op_release(struct mgr_call *c, struct mgr_obj *o)
{
	struct sync *st = sync_of(o);
	struct mgr_hold *h = holder(st);

	if (is_type(o, SEM))
		return sem_release(c, o);
	if (!h)
		return mgr_call_err(c, -EPERM, "release of an unlocked lock");
	/* Python's Lock has no owner: anybody may release it. */
	if (is_type(o, RLOCK | COND) && !holds_it(h, c))
		return mgr_call_err(c, -EPERM, "cannot release un-acquired lock");
	if (is_type(o, LOCK) || !--h->count) {
		mgr_hold_free(h);
		grant(c->store, o);
	}
	return changed_true(c, o);
}

static int op_locked(struct mgr_call *c, struct mgr_obj *o)
{
	return mgr_reply_bool(c, holder(sync_of(o)) != NULL);
}

static int op_get_value(struct mgr_call *c, struct mgr_obj *o)
{
	return mgr_reply_u64(c, sync_of(o)->value);
}

static int op_set(struct mgr_call *c, struct mgr_obj *o)
{
	struct sync *st = sync_of(o);
	struct mgr_waiter *w;

	/* "set" of a value carries data; on an event it must not, or a
	 * mistaken path would silently set a flag. */
	if (mgr_json_get(c->args, "value") || mgr_json_get(c->args, "bytes"))
		return mgr_call_err(c, -EINVAL, "an event's set takes no value");
	st->flag = true;
	while ((w = mgr_dlist_first(&st->waitq, struct mgr_waiter, obj_link)))
		answer_bool(c->store, w, true);
	return changed_true(c, o);
}

static int op_clear(struct mgr_call *c, struct mgr_obj *o)
{
	sync_of(o)->flag = false;
	return changed_true(c, o);
}

static int op_is_set(struct mgr_call *c, struct mgr_obj *o)
{
	return mgr_reply_bool(c, sync_of(o)->flag);
}

static int event_wait(struct mgr_call *c, struct mgr_obj *o, bool block, uint64_t deadline)
{
	struct sync *st = sync_of(o);

	if (st->flag || expired(c, block, deadline))
		return mgr_reply_bool(c, st->flag);
	if (!park(c, o, &st->waitq, W_WAIT, deadline))
		return mgr_call_err(c, -ENOMEM, "out of memory");
	return parked(c, o);
}

/* Release every level, wait for notify, take the levels back. */
static int cond_wait(struct mgr_call *c, struct mgr_obj *o, bool block, uint64_t deadline)
{
	struct sync *st = sync_of(o);
	struct mgr_hold *h = holder(st);
	struct mgr_waiter *w;

	if (!holds_it(h, c))
		return mgr_call_err(c, -EPERM, "cannot wait on un-acquired lock");
	if (expired(c, block, deadline)) {
		/* Nobody waits to slip in between the release and the
		 * re-acquire, so both come to nothing. */
		if (mgr_dlist_empty(&st->lockq))
			return mgr_reply_bool(c, false);
		w = park(c, o, &st->lockq, W_RELOCK, 0);
	} else {
		w = park(c, o, &st->waitq, W_WAIT, deadline);
	}
	if (!w)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	w->arg.u = h->count;
	mgr_hold_free(h);
	grant(c->store, o);
	return parked(c, o);
}

static int barrier_wait(struct mgr_call *c, struct mgr_obj *o, bool block, uint64_t deadline)
{
	struct sync *st = sync_of(o);
	struct mgr_waiter *w;
	uint64_t n = mgr_dlist_count(&st->waitq), i = 0;

	if (st->flag)
		return mgr_call_err(c, -EPIPE, "barrier is broken");
	if (block && !deadline && st->has_timeout)
		deadline = c->now + st->timeout_ms ? c->now + st->timeout_ms : 1;
	if (n + 1 == st->parties) {
		/* As CPython, each gets the number of parties that had
		 * arrived before it. */
		while ((w = mgr_dlist_first(&st->waitq, struct mgr_waiter, obj_link)))
			answer_u64(c->store, w, i++);
		mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
		return mgr_reply_u64(c, n);
	}
	if (expired(c, block, deadline)) {
		break_barrier(c->store, st, "barrier broken: a wait timed out");
		mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
		return mgr_call_err(c, -EPIPE, "barrier broken: the wait timed out");
	}
	if (!park(c, o, &st->waitq, W_WAIT, deadline))
		return mgr_call_err(c, -ENOMEM, "out of memory");
	return parked(c, o);
}

static int op_wait(struct mgr_call *c, struct mgr_obj *o)
{
	uint64_t deadline;
	bool block;
	int r;

	r = mgr_call_wait_args(c, &block, &deadline);
	if (r < 0)
		return r;
	if (is_type(o, EVENT))
		return event_wait(c, o, block, deadline);
	if (is_type(o, COND))
		return cond_wait(c, o, block, deadline);
	return barrier_wait(c, o, block, deadline);
}

/* Move up to n Condition waiters over to wait for the lock, which the
 * caller holds, so none of them can have it yet. */
static int notify(struct mgr_call *c, struct mgr_obj *o, uint64_t n)
{
	struct sync *st = sync_of(o);
	struct mgr_waiter *w;
	bool moved = false;

	if (!holds_it(holder(st), c))
		return mgr_call_err(c, -EPERM, "cannot notify on un-acquired lock");
	for (; n && (w = mgr_dlist_first(&st->waitq, struct mgr_waiter, obj_link)); n--) {
		w->kind = W_RELOCK;
		w->arg2 = 1;
		mgr_waiter_requeue(c->store, w, &st->lockq, 0);
		moved = true;
	}
	if (moved)
		mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
	return mgr_reply_bool(c, true);
}

static int op_notify(struct mgr_call *c, struct mgr_obj *o)
{
	uint64_t n = 1;

	if (mgr_json_get_u64(c->args, "n", &n) == -EINVAL)
		return mgr_call_err(c, -EINVAL, "\"n\" must be a non-negative integer");
	return notify(c, o, n);
}

static int op_notify_all(struct mgr_call *c, struct mgr_obj *o)
{
	return notify(c, o, UINT64_MAX);
}

static int op_abort(struct mgr_call *c, struct mgr_obj *o)
{
	break_barrier(c->store, sync_of(o), "barrier aborted");
	return changed_true(c, o);
}

static int op_reset(struct mgr_call *c, struct mgr_obj *o)
{
	struct sync *st = sync_of(o);

	fail_all(c->store, &st->waitq, -EPIPE, "barrier reset");
	st->flag = false;
	return changed_true(c, o);
}

static int op_parties(struct mgr_call *c, struct mgr_obj *o)
{
	return mgr_reply_u64(c, sync_of(o)->parties);
}

static int op_n_waiting(struct mgr_call *c, struct mgr_obj *o)
{
	return mgr_reply_u64(c, mgr_dlist_count(&sync_of(o)->waitq));
}

static int op_broken(struct mgr_call *c, struct mgr_obj *o)
{
	return mgr_reply_bool(c, sync_of(o)->flag);
}

/* ---- the types ---- */

/* Seconds, rounded up to whole milliseconds as call timeouts are. */
static int barrier_timeout(struct mgr_call *c, struct sync *st)
{
	yajl_val t = mgr_json_get(c->args, "timeout");
	double ms;

	if (!t || YAJL_IS_NULL(t))
		return 0;
	if (!YAJL_IS_DOUBLE(t) || !(t->u.number.d >= 0))
		return mgr_call_err(c, -EINVAL, "\"timeout\" must be a non-negative number of seconds");
	ms = t->u.number.d * 1000;
	/* A timeout beyond any uptime is none. */
	if (ms >= 4e18)
		return 0;
	st->timeout_ms = (uint64_t)ms;
	if ((double)st->timeout_ms < ms)
		st->timeout_ms++;
	st->has_timeout = true;
	return 0;
}

static int sync_args(struct mgr_call *c, struct mgr_obj *o, struct sync *st)
{
	uint64_t v = 1;
	int r;

	if (is_type(o, SEM)) {
		if (mgr_json_get_u64(c->args, "value", &v) == -EINVAL)
			return mgr_call_err(c, -EINVAL, "\"value\" must be a non-negative integer");
		st->value = st->initial = v;
	} else if (is_type(o, BARRIER)) {
		r = mgr_json_get_u64(c->args, "parties", &st->parties);
		if (r < 0 || st->parties < 1)
			return mgr_call_err(c, -EINVAL, "\"parties\" must be an integer, 1 or more");
		return barrier_timeout(c, st);
	}
	return 0;
}

static int sync_init(struct mgr_call *c, struct mgr_obj *o)
{
	struct sync *st = calloc(1, sizeof(*st));
	int r;

	if (!st)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	mgr_dlist_init(&st->holds);
	mgr_dlist_init(&st->lockq);
	mgr_dlist_init(&st->waitq);
	r = sync_args(c, o, st);
	if (r < 0) {
		free(st);
		return r;
	}
	o->u.state = st;
	return 0;
}

static void sync_destroy(struct mgr_store *s, struct mgr_obj *o)
{
	struct sync *st = sync_of(o);
	struct mgr_hold *h;

	fail_all(s, &st->lockq, -ENOENT, "object deleted");
	fail_all(s, &st->waitq, -ENOENT, "object deleted");
	while ((h = holder(st)))
		mgr_hold_free(h);
	free(st);
	o->u.state = NULL;
}

static int gen_who(yajl_gen g, const struct mgr_hold *h)
{
	int r = mgr_json_map_open(g);

	if (!r)
		r = mgr_json_kv_u64(g, "session", h->sess->id);
	if (!r)
		r = mgr_json_kv_u64(g, "owner", h->owner);
	if (!r && is_type(h->obj, SEM))
		r = mgr_json_kv_u64(g, "count", h->count);
	return r ? r : mgr_json_map_close(g);
}

static int stat_lock(struct mgr_obj *o, yajl_gen g)
{
	struct sync *st = sync_of(o);
	struct mgr_hold *h = holder(st);
	int r;

	r = mgr_json_kv_bool(g, "locked", h != NULL);
	if (!r)
		r = mgr_json_gen_cstr(g, "owner");
	if (!r)
		r = h ? gen_who(g, h) : (yajl_gen_null(g) == yajl_gen_status_ok ? 0 : -EINVAL);
	if (!r && !is_type(o, LOCK))
		r = mgr_json_kv_u64(g, "count", h ? h->count : 0);
	if (!r && is_type(o, COND))
		r = mgr_json_kv_u64(g, "n_waiting", mgr_dlist_count(&st->waitq));
	return r;
}

static int stat_sem(struct mgr_obj *o, yajl_gen g)
{
	struct sync *st = sync_of(o);
	struct mgr_dlist *pos, *tmp;
	int r;

	r = mgr_json_kv_u64(g, "value", st->value);
	if (!r && o->type == MGR_BSEMAPHORE)
		r = mgr_json_kv_u64(g, "initial", st->initial);
	if (!r)
		r = mgr_json_gen_cstr(g, "holders");
	if (!r)
		r = mgr_json_array_open(g);
	mgr_dlist_for_each(pos, tmp, &st->holds)
		if (!r)
			r = gen_who(g, mgr_container_of(pos, struct mgr_hold, obj_link));
	return r ? r : mgr_json_array_close(g);
}

static int stat_barrier(struct mgr_obj *o, yajl_gen g)
{
	struct sync *st = sync_of(o);
	int r;

	r = mgr_json_kv_u64(g, "parties", st->parties);
	if (!r)
		r = mgr_json_kv_u64(g, "n_waiting", mgr_dlist_count(&st->waitq));
	if (!r)
		r = mgr_json_kv_bool(g, "broken", st->flag);
	if (!r && st->has_timeout)
		r = mgr_json_kv_double(g, "timeout", st->timeout_ms / 1000.0);
	return r;
}

static int sync_stat(struct mgr_obj *o, yajl_gen g)
{
	struct sync *st = sync_of(o);
	int r;

	if (is_type(o, LOCK | RLOCK | COND))
		r = stat_lock(o, g);
	else if (is_type(o, SEM))
		r = stat_sem(o, g);
	else if (is_type(o, EVENT))
		r = mgr_json_kv_bool(g, "is_set", st->flag);
	else
		r = stat_barrier(o, g);
	if (!r)
		r = mgr_json_kv_u64(g, "waiters",
				    mgr_dlist_count(&st->lockq) + mgr_dlist_count(&st->waitq));
	return r;
}

/* As once every holder is gone: a semaphore's units held count as free,
 * a lock is free (it has no state to save). */
static int sync_save(struct mgr_obj *o, struct mgr_buf *b, bool full)
{
	struct sync *st = sync_of(o);
	struct mgr_dlist *pos, *tmp;
	uint64_t value = st->value;
	int r;

	(void)full;
	if (is_type(o, SEM))
		mgr_dlist_for_each(pos, tmp, &st->holds)
			value += mgr_container_of(pos, struct mgr_hold, obj_link)->count;
	r = mgr_img_put_u64(b, value);
	if (!r)
		r = mgr_img_put_u64(b, st->initial);
	if (!r)
		r = mgr_img_put_u64(b, st->parties);
	if (!r)
		r = mgr_img_put_u64(b, st->has_timeout ? st->timeout_ms + 1 : 0);
	if (!r)
		r = mgr_img_put_u64(b, st->flag);
	return r;
}

static int sync_load(struct mgr_store *s, struct mgr_obj *o, struct mgr_img *in, bool full)
{
	struct sync *st = calloc(1, sizeof(*st));
	uint64_t timeout = 0, flag = 0;
	int r;

	(void)s;
	(void)full;
	if (!st)
		return -ENOMEM;
	mgr_dlist_init(&st->holds);
	mgr_dlist_init(&st->lockq);
	mgr_dlist_init(&st->waitq);
	r = mgr_img_get_u64(in, &st->value);
	if (!r)
		r = mgr_img_get_u64(in, &st->initial);
	if (!r)
		r = mgr_img_get_u64(in, &st->parties);
	if (!r)
		r = mgr_img_get_u64(in, &timeout);
	if (!r)
		r = mgr_img_get_u64(in, &flag);
	if (r < 0 || flag > 1 || (is_type(o, BARRIER) && !st->parties)) {
		free(st);
		return -EINVAL;
	}
	st->has_timeout = timeout != 0;
	st->timeout_ms = timeout ? timeout - 1 : 0;
	st->flag = flag;
	o->u.state = st;
	return 0;
}

#define SYNC_TYPE(ident, drop)		\
	const struct mgr_type ident = {		\
		.init = sync_init,		\
		.destroy = sync_destroy,	\
		.stat = sync_stat,		\
		.drop_hold = drop,		\
		.save = sync_save,		\
		.load = sync_load,		\
	}

SYNC_TYPE(mgr_type_lock, sync_drop_hold);
SYNC_TYPE(mgr_type_rlock, sync_drop_hold);
SYNC_TYPE(mgr_type_semaphore, sync_drop_hold);
SYNC_TYPE(mgr_type_bsemaphore, sync_drop_hold);
SYNC_TYPE(mgr_type_event, NULL);
SYNC_TYPE(mgr_type_condition, sync_drop_hold);
SYNC_TYPE(mgr_type_barrier, NULL);

const struct mgr_op mgr_ops_sync[] = {
	{ "acquire", LOCK | RLOCK | COND | SEM, 0, op_acquire },
	{ "release", LOCK | RLOCK | COND | SEM, 0, op_release },
	{ "locked", LOCK | RLOCK | COND, 0, op_locked },
	{ "get_value", SEM, 0, op_get_value },
	{ "set", EVENT, 0, op_set },
	{ "clear", EVENT, 0, op_clear },
	{ "is_set", EVENT, 0, op_is_set },
	{ "wait", EVENT | COND | BARRIER, 0, op_wait },
	{ "notify", COND, 0, op_notify },
	{ "notify_all", COND, 0, op_notify_all },
	{ "abort", BARRIER, 0, op_abort },
	{ "reset", BARRIER, 0, op_reset },
	{ "parties", BARRIER, 0, op_parties },
	{ "n_waiting", BARRIER, 0, op_n_waiting },
	{ "broken", BARRIER, 0, op_broken },
	{ NULL, 0, 0, NULL },
};
