/* The queue: Python's JoinableQueue.  Items wait in a ring buffer; calls
 * that cannot go on wait as parked waiters in three FIFO lists.  Two
 * invariants keep hand-offs simple: getters wait only while the queue is
 * empty, and putters only while it is full. */
#include "queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "json.h"
#include "log.h"
#include "wait.h"

#define RING_MIN 8u

enum { W_GET, W_PUT, W_JOIN };

struct queue {
	struct mgr_datum **ring;	/* cap slots, a power of two; items owned */
	size_t head, len, cap;
	uint64_t maxsize;		/* 0: unbounded */
	uint64_t unfinished;		/* items put and not yet task_done */
	struct mgr_dlist getters, putters, joiners;
	struct mgr_dlist given;		/* struct mgr_given.obj_link */
};

static struct queue *queue_of(struct mgr_obj *o)
{
	return o->u.state;
}

static bool queue_full(const struct queue *q)
{
	return q->maxsize && q->len >= q->maxsize;
}

/* ---- the ring ---- */

static struct mgr_datum **slot(struct queue *q, size_t i)
{
	return &q->ring[(q->head + i) & (q->cap - 1)];
}

static int ring_resize(struct queue *q, size_t cap)
{
	struct mgr_datum **ring = malloc(cap * sizeof(*ring));
	size_t i;

	if (!ring)
		return -ENOMEM;
	for (i = 0; i < q->len; i++)
		ring[i] = *slot(q, i);
	free(q->ring);
	q->ring = ring;
	q->head = 0;
	q->cap = cap;
	return 0;
}

/* Room for one more item; the only step of a put that can fail. */
static int ring_reserve(struct queue *q)
{
	if (q->len < q->cap)
		return 0;
	return ring_resize(q, q->cap ? q->cap * 2 : RING_MIN);
}

/* Items in the ring are counted as the store's (mgr_store_account);
 * handed out, they are not. */
static void ring_push_tail(struct mgr_store *s, struct queue *q, struct mgr_datum *d)
{
	*slot(q, q->len++) = d;
	mgr_store_account(s, mgr_datum_cost(d));
}

static void ring_push_head(struct mgr_store *s, struct queue *q, struct mgr_datum *d)
{
	q->head = (q->head - 1) & (q->cap - 1);
	*slot(q, 0) = d;
	q->len++;
	mgr_store_account(s, mgr_datum_cost(d));
}

static struct mgr_datum *ring_pop_head(struct mgr_store *s, struct queue *q)
{
	struct mgr_datum *d = *slot(q, 0);

	q->head = (q->head + 1) & (q->cap - 1);
	q->len--;
	mgr_store_account(s, -(int64_t)mgr_datum_cost(d));
	return d;
}

/* A queue that drained after a burst gives its memory back.  Failing to
 * shrink costs nothing but the memory. */
static void ring_shrink(struct queue *q)
{
	if (q->cap > RING_MIN && q->len < q->cap / 4)
		ring_resize(q, q->cap / 2);
}

/* ---- answering waiters ---- */

static int answer_bool(struct mgr_store *s, struct mgr_waiter *w, bool v)
{
	yajl_gen g = mgr_waiter_gen(s);

	if (yajl_gen_bool(g, v) != yajl_gen_status_ok) {
		mgr_waiter_fail(s, w, -ENOMEM, "cannot build the result");
		return -ENOMEM;
	}
	mgr_waiter_done(s, w, g);
	return 0;
}

/* d leaves the queue in the reply to req_id of sess.  A session that
 * acknowledges what it reads keeps it until then (see mgr_given); for any
 * other, and when there is no memory to keep it, it is gone now. */
static void hand_out(struct mgr_store *s, struct mgr_session *sess, uint64_t req_id,
		     struct mgr_obj *o, struct mgr_datum *d)
{
	struct mgr_given *g;

	if (!sess->keep_given || !(g = calloc(1, sizeof(*g)))) {
		mgr_datum_free(d);
		return;
	}
	/* A journal keeps it until it is acknowledged, as the session does. */
	mgr_store_note(s, o, MGR_NOTE_GIVEN, d, (uint64_t)(uintptr_t)g);
	g->store = s;
	g->obj = o;
	g->sess = sess;
	g->req_id = req_id;
	g->item = d;
	mgr_dlist_append(&queue_of(o)->given, &g->obj_link);
	mgr_dlist_append(&sess->given, &g->sess_link);
}

/* Give d to a parked getter, taking it over.  On failure the getter is
 * failed and d is still the caller's, so no item is lost. */
static int answer_item(struct mgr_store *s, struct mgr_waiter *w, struct mgr_datum *d)
{
	yajl_gen g = mgr_waiter_gen(s);
	int r = mgr_datum_gen(g, d);

	if (r < 0) {
		mgr_waiter_fail(s, w, r, "cannot build the result");
		return r;
	}
	/* Recorded before the reply goes out, which numbers it. */
	hand_out(s, w->sess, w->req_id, w->obj, d);
	mgr_waiter_done(s, w, g);
	return 0;
}

/* Hand d to the oldest getter that can take it.  Returns true when one
 * did (d is then its), false when no getter is left (d is still the
 * caller's). */
static bool hand_to_getter(struct mgr_store *s, struct queue *q, struct mgr_datum *d)
{
	struct mgr_waiter *w;

	while ((w = mgr_dlist_first(&q->getters, struct mgr_waiter, obj_link)))
		if (answer_item(s, w, d) == 0)
			return true;
	return false;
}

/* A slot opened: move the oldest putters' items in while there is room. */
static void admit_putters(struct mgr_store *s, struct queue *q)
{
	struct mgr_waiter *w;
	struct mgr_datum *d;

	while (!queue_full(q) &&
	       (w = mgr_dlist_first(&q->putters, struct mgr_waiter, obj_link))) {
		if (ring_reserve(q) < 0) {
			mgr_waiter_fail(s, w, -ENOMEM, "out of memory");
			continue;
		}
		d = w->arg.item;
		w->arg.item = NULL;
		ring_push_tail(s, q, d);
		mgr_store_note(s, w->obj, MGR_NOTE_PUSH_TAIL, d, 0);
		q->unfinished++;
		answer_bool(s, w, true);
	}
}

static void wake_joiners(struct mgr_store *s, struct queue *q)
{
	struct mgr_waiter *w;

	while ((w = mgr_dlist_first(&q->joiners, struct mgr_waiter, obj_link)))
		answer_bool(s, w, true);
}

static void queue_abort(struct mgr_store *s, struct mgr_waiter *w, int reason)
{
	struct mgr_obj *o = w->obj;
	const char *msg;

	/* Nothing a waiter leaves behind needs undoing: a getter took
	 * nothing and a putter's item goes with it. */
	if (reason == -ETIMEDOUT)
		msg = w->kind == W_GET ? "queue is empty" :
		      w->kind == W_PUT ? "queue is full" : "join timed out";
	else if (reason == -ENOENT)
		msg = "object deleted";
	else
		msg = "cancelled";
	mgr_waiter_fail(s, w, reason, msg);
	mgr_store_changed(s, o, MGR_CHANGE_UPDATE);
}

/* ---- operations ---- */

/* The item a put or unget carries. */
static int item_arg(struct mgr_call *c, struct mgr_datum **d)
{
	const char *why = NULL;
	int r = mgr_datum_from_msg(c->args, d, &why);

	if (r == -ENOENT)
		return mgr_call_err(c, -EINVAL, "missing \"value\" or \"bytes\"");
	if (r < 0)
		return mgr_call_err(c, r, "%s", why ? why : "bad item");
	return 0;
}

/* Room for d in q under the manager's limits (not maxsize): 0, or
 * -ENOSPC with a message. */
static int room_for(struct mgr_call *c, const struct queue *q, const struct mgr_datum *d)
{
	int r = mgr_call_items_fit(c, "queue", q->len, 1);

	return r < 0 ? r : mgr_call_fits(c, mgr_datum_cost(d));
}

/* A call that would wait and may not: -EAGAIN when it must not block at
 * all (Python's Full or Empty with block=False), -ETIMEDOUT when its
 * timeout has already run out, 0 when it may park. */
static int may_park(struct mgr_call *c, bool block, uint64_t deadline, const char *why)
{
	if (!block)
		return mgr_call_err(c, -EAGAIN, "%s", why);
	if (deadline && deadline <= c->now)
		return mgr_call_err(c, -ETIMEDOUT, "%s", why);
	return 0;
}

static int park(struct mgr_call *c, struct mgr_obj *o, struct mgr_dlist *list, int kind,
		uint64_t deadline, struct mgr_datum *item)
{
	struct mgr_waiter *w = mgr_waiter_park(c, o, list, kind, deadline, queue_abort);

	if (!w)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	w->arg.item = item;
	mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
	return MGR_PARKED;
}

static int op_put(struct mgr_call *c, struct mgr_obj *o)
{
	struct queue *q = queue_of(o);
	struct mgr_datum *d;
	uint64_t deadline;
	bool block;
	int r;

	r = item_arg(c, &d);
	if (r < 0)
		return r;
	r = mgr_call_wait_args(c, &block, &deadline);
	if (r < 0)
		goto fail;
	if (!hand_to_getter(c->store, q, d)) {
		/* A full queue makes a put wait; the limits of the manager
		 * make it fail, since waiting would not make room. */
		r = queue_full(q) ? 0 : room_for(c, q, d);
		if (r < 0)
			goto fail;
		if (queue_full(q)) {
			r = may_park(c, block, deadline, "queue is full");
			if (r < 0)
				goto fail;
			r = park(c, o, &q->putters, W_PUT, deadline, d);
			if (r < 0)
				goto fail;
			return r;
		}
		r = ring_reserve(q);
		if (r < 0) {
			mgr_call_err(c, r, "out of memory");
			goto fail;
		}
		ring_push_tail(c->store, q, d);
		mgr_store_note(c->store, o, MGR_NOTE_PUSH_TAIL, d, 0);
	}
	q->unfinished++;
	mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
	return mgr_reply_bool(c, true);
fail:
	mgr_datum_free(d);
	return r;
}

/* Put items, in order, while the queue has room, and never wait: the
 * frontend's way to put the lines of one write() with one call.  Every
 * item is checked before any is put, so a bad one puts none.  -> how many
 * were put; the caller waits with a put for the next one. */
static int op_put_many(struct mgr_call *c, struct mgr_obj *o)
{
	struct queue *q = queue_of(o);
	yajl_val v = mgr_json_get(c->args, "items");
	struct mgr_datum **items;
	const char *why = NULL;
	size_t i, n, put = 0;
	int r = 0;

	if (!YAJL_IS_ARRAY(v))
		return mgr_call_err(c, -EINVAL, "\"items\" must be an array of data");
	n = v->u.array.len;
	if (n > MGR_ITEMS_MAX)
		return mgr_call_items_fit(c, "queue", 0, n);
	items = calloc(n ? n : 1, sizeof(*items));
	if (!items)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	for (i = 0; i < n && !r; i++) {
		r = mgr_datum_from_msg(v->u.array.values[i], &items[i], &why);
		if (r == -ENOENT)
			why = "an item without \"value\" or \"bytes\"";
	}
	if (r < 0) {
		r = mgr_call_err(c, r == -ENOENT ? -EINVAL : r, "%s", why ? why : "bad item");
		goto out;
	}
	for (; put < n; put++) {
		if (hand_to_getter(c->store, q, items[put]))
			continue;
		if (queue_full(q) || ring_reserve(q) < 0)
			break;
		/* Past a limit of the manager the next put says why. */
		if (q->len >= MGR_ITEMS_MAX ||
		    !mgr_store_fits(c->store, mgr_datum_cost(items[put])))
			break;
		ring_push_tail(c->store, q, items[put]);
		mgr_store_note(c->store, o, MGR_NOTE_PUSH_TAIL, items[put], 0);
	}
	q->unfinished += put;
	if (put)
		mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
	r = mgr_reply_u64(c, put);
out:
	for (i = put; i < n; i++)
		mgr_datum_free(items[i]);
	free(items);
	return r;
}

static int op_get(struct mgr_call *c, struct mgr_obj *o)
{
	struct queue *q = queue_of(o);
	uint64_t deadline;
	bool block;
	int r;

	r = mgr_call_wait_args(c, &block, &deadline);
	if (r < 0)
		return r;
	if (!q->len) {
		r = may_park(c, block, deadline, "queue is empty");
		return r < 0 ? r : park(c, o, &q->getters, W_GET, deadline, NULL);
	}
	/* The answer is written before the item leaves, so a failure to
	 * write it loses nothing. */
	r = mgr_datum_gen(c->out, *slot(q, 0));
	if (r < 0)
		return mgr_call_result(c, r);
	mgr_store_note(c->store, o, MGR_NOTE_POP_HEAD, NULL, 0);
	hand_out(c->store, c->sess, c->id, o, ring_pop_head(c->store, q));
	admit_putters(c->store, q);
	ring_shrink(q);
	mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
	return 0;
}

/* Put an item back at the head, as if it had never been taken: the
 * frontend's way to return an item whose read reply was lost.  It was
 * counted as unfinished when first put. */
static int op_unget(struct mgr_call *c, struct mgr_obj *o)
{
	struct queue *q = queue_of(o);
	struct mgr_datum *d;
	int r;

	r = item_arg(c, &d);
	if (r < 0)
		return r;
	if (!hand_to_getter(c->store, q, d)) {
		r = ring_reserve(q);
		if (r < 0) {
			mgr_datum_free(d);
			return mgr_call_err(c, r, "out of memory");
		}
		ring_push_head(c->store, q, d);
		mgr_store_note(c->store, o, MGR_NOTE_PUSH_HEAD, d, 0);
	}
	mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
	return mgr_reply_bool(c, true);
}

/* A session ended: put every item in sess->given back at the head of its
 * queue, in the order they were handed out, as unget does; an item whose
 * queue was deleted is lost, and logged. */
static void queue_session_end(struct mgr_store *s, struct mgr_session *sess)
{
	struct mgr_dlist *pos, *tmp;
	struct mgr_given *g;
	struct queue *q;
	size_t back = 0, lost = 0;

	/* Getters wait only on an empty queue, so the oldest items go to
	 * them first, oldest getter first; what is left then goes on the
	 * heads, the newest first, which leaves the oldest in front. */
	mgr_dlist_for_each(pos, tmp, &sess->given) {
		g = mgr_container_of(pos, struct mgr_given, sess_link);
		if (!g->obj) {
			lost++;
			mgr_given_free(g);
			continue;
		}
		q = queue_of(g->obj);
		if (mgr_dlist_empty(&q->getters))
			continue;
		if (hand_to_getter(s, q, g->item)) {
			g->item = NULL;
			back++;
			mgr_store_changed(s, g->obj, MGR_CHANGE_UPDATE);
			mgr_given_free(g);
		}
	}
	for (pos = sess->given.prev; pos != &sess->given; pos = tmp) {
		tmp = pos->prev;
		g = mgr_container_of(pos, struct mgr_given, sess_link);
		q = queue_of(g->obj);
		if (ring_reserve(q) < 0) {
			lost++;
		} else {
			ring_push_head(s, q, g->item);
			mgr_store_note(s, g->obj, MGR_NOTE_PUSH_HEAD, g->item, 0);
			g->item = NULL;
			back++;
		}
		mgr_store_changed(s, g->obj, MGR_CHANGE_UPDATE);
		mgr_given_free(g);
	}
	if (back)
		mgr_log(MGR_LOG_INFO, "session %llu ended with %zu queue item(s) it had not acknowledged: put back",
			(unsigned long long)sess->id, back);
	if (lost)
		mgr_log(MGR_LOG_WARN, "session %llu ended with %zu queue item(s) it had not acknowledged that could not go back (queue deleted, or no memory): lost",
			(unsigned long long)sess->id, lost);
}

static int op_qsize(struct mgr_call *c, struct mgr_obj *o)
{
	return mgr_reply_u64(c, queue_of(o)->len);
}

static int op_empty(struct mgr_call *c, struct mgr_obj *o)
{
	return mgr_reply_bool(c, queue_of(o)->len == 0);
}

static int op_full(struct mgr_call *c, struct mgr_obj *o)
{
	return mgr_reply_bool(c, queue_full(queue_of(o)));
}

static int op_task_done(struct mgr_call *c, struct mgr_obj *o)
{
	struct queue *q = queue_of(o);

	if (!q->unfinished)
		return mgr_call_err(c, -EINVAL, "task_done() called too many times");
	if (!--q->unfinished)
		wake_joiners(c->store, q);
	mgr_store_changed(c->store, o, MGR_CHANGE_UPDATE);
	return mgr_reply_bool(c, true);
}

static int op_join(struct mgr_call *c, struct mgr_obj *o)
{
	struct queue *q = queue_of(o);
	uint64_t deadline;
	bool block;
	int r;

	r = mgr_call_wait_args(c, &block, &deadline);
	if (r < 0)
		return r;
	if (!q->unfinished)
		return mgr_reply_bool(c, true);
	r = may_park(c, block, deadline, "join timed out");
	return r < 0 ? r : park(c, o, &q->joiners, W_JOIN, deadline, NULL);
}

/* ---- the type ---- */

static int queue_init(struct mgr_call *c, struct mgr_obj *o)
{
	struct queue *q;
	int64_t maxsize = 0;

	if (mgr_json_get_i64(c->args, "maxsize", &maxsize) == -EINVAL)
		return mgr_call_err(c, -EINVAL, "\"maxsize\" must be an integer");
	q = calloc(1, sizeof(*q));
	if (!q)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	/* As in Python, a maxsize of zero or less means no limit. */
	q->maxsize = maxsize > 0 ? (uint64_t)maxsize : 0;
	mgr_dlist_init(&q->getters);
	mgr_dlist_init(&q->putters);
	mgr_dlist_init(&q->joiners);
	mgr_dlist_init(&q->given);
	o->u.state = q;
	return 0;
}

static void fail_all(struct mgr_store *s, struct mgr_dlist *l)
{
	struct mgr_waiter *w;

	while ((w = mgr_dlist_first(l, struct mgr_waiter, obj_link)))
		mgr_waiter_fail(s, w, -ENOENT, "object deleted");
}

static void queue_destroy(struct mgr_store *s, struct mgr_obj *o)
{
	struct queue *q = queue_of(o);
	struct mgr_given *g;

	fail_all(s, &q->getters);
	fail_all(s, &q->putters);
	fail_all(s, &q->joiners);
	/* Items handed out stay with their sessions until acknowledged;
	 * only if they come back do they find the queue gone. */
	while ((g = mgr_dlist_first(&q->given, struct mgr_given, obj_link))) {
		mgr_dlist_remove(&g->obj_link);
		g->obj = NULL;
	}
	while (q->len)
		mgr_datum_free(ring_pop_head(s, q));
	free(q->ring);
	free(q);
	o->u.state = NULL;
}

static int queue_stat(struct mgr_obj *o, yajl_gen g)
{
	struct queue *q = queue_of(o);
	size_t getters = mgr_dlist_count(&q->getters), putters = mgr_dlist_count(&q->putters);
	size_t joiners = mgr_dlist_count(&q->joiners);
	int r;

	r = mgr_json_kv_u64(g, "qsize", q->len);
	if (!r)
		r = mgr_json_kv_u64(g, "maxsize", q->maxsize);
	if (!r)
		r = mgr_json_kv_u64(g, "unfinished", q->unfinished);
	if (!r)
		r = mgr_json_kv_u64(g, "getters", getters);
	if (!r)
		r = mgr_json_kv_u64(g, "putters", putters);
	if (!r)
		r = mgr_json_kv_u64(g, "joiners", joiners);
	if (!r)
		r = mgr_json_kv_u64(g, "waiters", getters + putters + joiners);
	return r;
}

static int queue_dump(struct mgr_obj *o, yajl_gen g)
{
	struct queue *q = queue_of(o);
	size_t i;
	int r;

	r = mgr_json_map_open(g);
	if (!r)
		r = mgr_json_gen_cstr(g, "$queue");
	if (!r)
		r = mgr_json_array_open(g);
	for (i = 0; !r && i < q->len; i++)
		r = mgr_datum_gen_dump(g, *slot(q, i));
	if (!r)
		r = mgr_json_array_close(g);
	if (!r)
		r = mgr_json_kv_u64(g, "maxsize", q->maxsize);
	if (!r)
		r = mgr_json_map_close(g);
	return r;
}

/* Items handed out and not acknowledged are the journal's, from the notes
 * (MGR_NOTE_GIVEN), not the queue's image. */
static int queue_save(struct mgr_obj *o, struct mgr_buf *b, bool full)
{
	struct queue *q = queue_of(o);
	size_t i;
	int r = mgr_img_put_u64(b, q->maxsize);

	if (!r)
		r = mgr_img_put_u64(b, q->unfinished);
	if (!r && full)
		r = mgr_img_put_u64(b, q->len);
	for (i = 0; full && i < q->len && !r; i++)
		r = mgr_img_put_datum(b, *slot(q, i));
	return r;
}

static int queue_load(struct mgr_store *s, struct mgr_obj *o, struct mgr_img *in, bool full)
{
	struct queue *q = full ? calloc(1, sizeof(*q)) : queue_of(o);
	struct mgr_datum *d;
	size_t n = 0, i;
	int r;

	if (!q)
		return -ENOMEM;
	r = mgr_img_get_u64(in, &q->maxsize);
	if (!r)
		r = mgr_img_get_u64(in, &q->unfinished);
	if (!full)
		return r;
	mgr_dlist_init(&q->getters);
	mgr_dlist_init(&q->putters);
	mgr_dlist_init(&q->joiners);
	mgr_dlist_init(&q->given);
	o->u.state = q;
	if (!r)
		r = mgr_img_get_count(in, 2, &n);
	for (i = 0; i < n && !r; i++) {
		r = mgr_img_get_datum(in, &d);
		if (!r && (r = ring_reserve(q)) < 0)
			mgr_datum_free(d);
		if (!r)
			ring_push_tail(s, q, d);
	}
	if (r < 0)
		queue_destroy(s, o);
	return r;
}

static int queue_replay(struct mgr_store *s, struct mgr_obj *o, int what, struct mgr_datum *d)
{
	struct queue *q = queue_of(o);
	int r;

	if (what == MGR_NOTE_POP_HEAD) {
		if (!q->len)
			return -EINVAL;
		mgr_datum_free(ring_pop_head(s, q));
		ring_shrink(q);
		return 0;
	}
	if (!d || (what != MGR_NOTE_PUSH_TAIL && what != MGR_NOTE_PUSH_HEAD))
		return -EINVAL;
	r = ring_reserve(q);
	if (r < 0)
		return r;
	if (what == MGR_NOTE_PUSH_TAIL)
		ring_push_tail(s, q, d);
	else
		ring_push_head(s, q, d);
	return 0;
}

static uint64_t queue_size(struct mgr_obj *o)
{
	return queue_of(o)->len;
}

const struct mgr_type mgr_type_queue = {
	.init = queue_init,
	.destroy = queue_destroy,
	.stat = queue_stat,
	.dump = queue_dump,
	.size = queue_size,
	.session_end = queue_session_end,
	.save = queue_save,
	.load = queue_load,
	.replay = queue_replay,
};

#define QUEUE MGR_TYPE_BIT(MGR_QUEUE)

const struct mgr_op mgr_ops_queue[] = {
	{ "put", QUEUE, 0, op_put },
	{ "put_many", QUEUE, 0, op_put_many },
	{ "get", QUEUE, 0, op_get },
	{ "unget", QUEUE, 0, op_unget },
	{ "qsize", QUEUE, 0, op_qsize },
	{ "len", QUEUE, 0, op_qsize },
	{ "empty", QUEUE, 0, op_empty },
	{ "full", QUEUE, 0, op_full },
	{ "task_done", QUEUE, 0, op_task_done },
	{ "join", QUEUE, 0, op_join },
	{ NULL, 0, 0, NULL },
};
