#include "wait.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "json.h"
#include "call.h"
#include "store.h"

#define NOT_IN_HEAP SIZE_MAX

/* The deadline heap is a binary min-heap of waiters ordered by deadline.
 * It always has room for every parked waiter, so that moving a waiter
 * onto it (mgr_waiter_requeue with a deadline) cannot fail. */
struct mgr_waits {
	struct mgr_waiter **heap;
	size_t n, cap;
	size_t nwaiters;	/* parked waiters, each owed a heap slot */
	yajl_gen gen;		/* lent out by mgr_waiter_gen */
};

struct mgr_waits *mgr_waits_new(void)
{
	struct mgr_waits *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->gen = mgr_json_gen_new();
	if (!w->gen) {
		free(w);
		return NULL;
	}
	return w;
}

void mgr_waits_free(struct mgr_waits *w)
{
	if (!w)
		return;
	yajl_gen_free(w->gen);
	free(w->heap);
	free(w);
}

uint64_t mgr_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the deadline heap ---- */

static void heap_set(struct mgr_waits *ws, size_t i, struct mgr_waiter *w)
{
	ws->heap[i] = w;
	w->heap_index = i;
}

static void heap_up(struct mgr_waits *ws, size_t i)
{
	struct mgr_waiter *w = ws->heap[i];
	size_t parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (ws->heap[parent]->deadline <= w->deadline)
			break;
		heap_set(ws, i, ws->heap[parent]);
		i = parent;
	}
	heap_set(ws, i, w);
}

static void heap_down(struct mgr_waits *ws, size_t i)
{
	struct mgr_waiter *w = ws->heap[i];
	size_t child;

	for (;;) {
		child = 2 * i + 1;
		if (child >= ws->n)
			break;
		if (child + 1 < ws->n && ws->heap[child + 1]->deadline < ws->heap[child]->deadline)
			child++;
		if (w->deadline <= ws->heap[child]->deadline)
			break;
		heap_set(ws, i, ws->heap[child]);
		i = child;
	}
	heap_set(ws, i, w);
}

/* Room is reserved at park time, so this never grows the array. */
static void heap_push(struct mgr_waits *ws, struct mgr_waiter *w)
{
	ws->heap[ws->n] = w;
	w->heap_index = ws->n++;
	heap_up(ws, w->heap_index);
}

static void heap_remove(struct mgr_waits *ws, struct mgr_waiter *w)
{
	size_t i = w->heap_index;
	struct mgr_waiter *last;

	if (i == NOT_IN_HEAP)
		return;
	w->heap_index = NOT_IN_HEAP;
	last = ws->heap[--ws->n];
	if (last == w)
		return;
	heap_set(ws, i, last);
	/* The moved waiter may belong above or below the hole. */
	heap_up(ws, i);
	heap_down(ws, last->heap_index);
}

static int heap_reserve(struct mgr_waits *ws, size_t n)
{
	struct mgr_waiter **h;
	size_t cap;

	if (n <= ws->cap)
		return 0;
	cap = ws->cap ? ws->cap * 2 : 16;
	while (cap < n)
		cap *= 2;
	h = realloc(ws->heap, cap * sizeof(*h));
	if (!h)
		return -ENOMEM;
	ws->heap = h;
	ws->cap = cap;
	return 0;
}

/* ---- sessions ---- */

void mgr_session_init(struct mgr_session *sess, uint64_t id)
{
	sess->id = id;
	mgr_dlist_init(&sess->waiters);
	mgr_dlist_init(&sess->holds);
	sess->complete = NULL;
	sess->data = NULL;
	mgr_dlist_init(&sess->given);
	sess->keep_given = false;
	mgr_dlist_init(&sess->stages);
}

void mgr_session_end(struct mgr_store *s, struct mgr_session *sess)
{
	struct mgr_waiter *w;
	struct mgr_hold *h;
	const struct mgr_type *t;
	int i;

	/* Nobody is left to hear the outcome of these calls. */
	sess->complete = NULL;
	/* An abort function finishes the waiter on -ECANCELED, so each turn
	 * takes one off the list.  Cancelling first means that what the
	 * holds give back below goes to other sessions only. */
	while ((w = mgr_dlist_first(&sess->waiters, struct mgr_waiter, sess_link)))
		mgr_waiter_abort(s, w, -ECANCELED);
	for (i = 0; i < MGR_NTYPES; i++)
		if (mgr_types[i]->session_end)
			mgr_types[i]->session_end(s, sess);
	while ((h = mgr_dlist_first(&sess->holds, struct mgr_hold, sess_link))) {
		t = mgr_types[h->obj->type];
		if (t->drop_hold)
			t->drop_hold(s, h);
		else
			mgr_hold_free(h);
	}
}

void mgr_session_sent(struct mgr_session *sess, uint64_t req_id, uint64_t seq)
{
	struct mgr_dlist *pos;
	struct mgr_given *g;

	/* The item was recorded just before its reply was built, so it is
	 * near the end. */
	for (pos = sess->given.prev; pos != &sess->given; pos = pos->prev) {
		g = mgr_container_of(pos, struct mgr_given, sess_link);
		if (g->req_id == req_id && !g->seq) {
			g->seq = seq;
			return;
		}
	}
}

void mgr_session_ack(struct mgr_session *sess, uint64_t seq)
{
	struct mgr_dlist *pos, *tmp;
	struct mgr_given *g;

	mgr_dlist_for_each(pos, tmp, &sess->given) {
		g = mgr_container_of(pos, struct mgr_given, sess_link);
		if (g->seq && g->seq <= seq)
			mgr_given_free(g);
	}
}

void mgr_given_free(struct mgr_given *g)
{
	if (g->store)
		mgr_store_note(g->store, g->obj, MGR_NOTE_GONE, NULL, (uint64_t)(uintptr_t)g);
	mgr_dlist_remove(&g->obj_link);
	mgr_dlist_remove(&g->sess_link);
	mgr_datum_free(g->item);
	free(g);
}

/* ---- waiters ---- */

struct mgr_waiter *mgr_waiter_park(struct mgr_call *c, struct mgr_obj *obj,
				   struct mgr_dlist *queue, int kind,
				   uint64_t deadline, mgr_abort_fn abort)
{
	struct mgr_waits *ws = mgr_store_waits(c->store);
	struct mgr_waiter *w;

	if (heap_reserve(ws, ws->nwaiters + 1) < 0)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	ws->nwaiters++;
	w->sess = c->sess;
	w->req_id = c->id;
	w->owner = c->owner;
	w->obj = obj;
	w->kind = kind;
	w->abort = abort;
	w->deadline = deadline;
	w->heap_index = NOT_IN_HEAP;
	mgr_dlist_append(queue, &w->obj_link);
	mgr_dlist_append(&c->sess->waiters, &w->sess_link);
	if (deadline)
		heap_push(ws, w);
	return w;
}

void mgr_waiter_requeue(struct mgr_store *s, struct mgr_waiter *w,
			struct mgr_dlist *queue, uint64_t deadline)
{
	struct mgr_waits *ws = mgr_store_waits(s);

	mgr_dlist_remove(&w->obj_link);
	mgr_dlist_append(queue, &w->obj_link);
	heap_remove(ws, w);
	w->deadline = deadline;
	if (deadline)
		heap_push(ws, w);
}

yajl_gen mgr_waiter_gen(struct mgr_store *s)
{
	yajl_gen g = mgr_store_waits(s)->gen;

	yajl_gen_reset(g, NULL);
	yajl_gen_clear(g);
	return g;
}

/* Unlink w from everything and free it.  Only a queue's waiters carry a
 * datum in arg (a parked put's item); the sync types use its numbers. */
static void waiter_free(struct mgr_store *s, struct mgr_waiter *w)
{
	struct mgr_waits *ws = mgr_store_waits(s);

	mgr_dlist_remove(&w->obj_link);
	mgr_dlist_remove(&w->sess_link);
	heap_remove(ws, w);
	if (w->obj->type == MGR_QUEUE)
		mgr_datum_free(w->arg.item);
	ws->nwaiters--;
	free(w);
}

/* The waiter is gone before the reply goes out, so that whatever the
 * session does on hearing it finds the store consistent. */
static void waiter_finish(struct mgr_store *s, struct mgr_waiter *w, int err,
			  const char *msg, const char *result, size_t len)
{
	struct mgr_session *sess = w->sess;
	uint64_t req_id = w->req_id;

	waiter_free(s, w);
	if (sess->complete)
		sess->complete(sess, req_id, err, msg, result, len);
}

void mgr_waiter_done(struct mgr_store *s, struct mgr_waiter *w, yajl_gen g)
{
	const unsigned char *text;
	size_t len;

	yajl_gen_get_buf(g, &text, &len);
	waiter_finish(s, w, 0, NULL, (const char *)text, len);
}

void mgr_waiter_fail(struct mgr_store *s, struct mgr_waiter *w, int err, const char *msg)
{
	waiter_finish(s, w, err, msg, NULL, 0);
}

void mgr_waiter_abort(struct mgr_store *s, struct mgr_waiter *w, int reason)
{
	if (w->abort) {
		w->abort(s, w, reason);
		return;
	}
	switch (reason) {
	case -ETIMEDOUT:
		mgr_waiter_fail(s, w, reason, "timed out");
		break;
	case -ENOENT:
		mgr_waiter_fail(s, w, reason, "object deleted");
		break;
	default:
		mgr_waiter_fail(s, w, reason, "cancelled");
		break;
	}
}

struct mgr_waiter *mgr_waiter_find(struct mgr_session *sess, uint64_t req_id)
{
	struct mgr_dlist *pos, *tmp;
	struct mgr_waiter *w;

	mgr_dlist_for_each(pos, tmp, &sess->waiters) {
		w = mgr_container_of(pos, struct mgr_waiter, sess_link);
		if (w->req_id == req_id)
			return w;
	}
	return NULL;
}

void mgr_waits_expire(struct mgr_store *s, uint64_t now)
{
	struct mgr_waits *ws = mgr_store_waits(s);
	struct mgr_waiter *w;

	/* Each turn takes the earliest waiter off the heap before its abort
	 * runs; the abort may finish it, park it again without a deadline,
	 * or finish others (a broken barrier), all of which keep the heap
	 * whole for the next turn. */
	while (ws->n && ws->heap[0]->deadline <= now) {
		w = ws->heap[0];
		heap_remove(ws, w);
		w->deadline = 0;
		mgr_waiter_abort(s, w, -ETIMEDOUT);
	}
}

uint64_t mgr_waits_next_deadline(struct mgr_store *s)
{
	struct mgr_waits *ws = mgr_store_waits(s);

	return ws->n ? ws->heap[0]->deadline : 0;
}

/* ---- holds ---- */

struct mgr_hold *mgr_hold_find(struct mgr_dlist *holds, const struct mgr_session *sess,
			       uint64_t owner)
{
	struct mgr_dlist *pos, *tmp;
	struct mgr_hold *h;

	mgr_dlist_for_each(pos, tmp, holds) {
		h = mgr_container_of(pos, struct mgr_hold, obj_link);
		if (h->sess == sess && h->owner == owner)
			return h;
	}
	return NULL;
}

struct mgr_hold *mgr_hold_new(struct mgr_dlist *holds, struct mgr_obj *obj,
			      struct mgr_session *sess, uint64_t owner)
{
	struct mgr_hold *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->obj = obj;
	h->sess = sess;
	h->owner = owner;
	mgr_dlist_append(holds, &h->obj_link);
	mgr_dlist_append(&sess->holds, &h->sess_link);
	return h;
}

void mgr_hold_free(struct mgr_hold *h)
{
	if (!h)
		return;
	mgr_dlist_remove(&h->obj_link);
	mgr_dlist_remove(&h->sess_link);
	free(h);
}
