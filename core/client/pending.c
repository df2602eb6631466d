#include "pending.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "json.h"

void mgr_reply_release(struct mgr_reply *r)
{
	if (r->msg)
		yajl_tree_free(r->msg);
	memset(r, 0, sizeof(*r));
}

int pending_add(struct mgr_client *c, struct pending *p)
{
	struct pending **t, *q;
	size_t i, n;

	if (c->count >= c->nbuckets) {
		n = c->nbuckets ? 2 * c->nbuckets : 64;
		t = calloc(n, sizeof(*t));
		if (!t)
			return -ENOMEM;
		for (i = 0; i < c->nbuckets; i++) {
			while ((q = c->table[i])) {
				c->table[i] = q->next;
				q->next = t[q->id & (n - 1)];
				t[q->id & (n - 1)] = q;
			}
		}
		free(c->table);
		c->table = t;
		c->nbuckets = n;
	}
	i = p->id & (c->nbuckets - 1);
	p->next = c->table[i];
	c->table[i] = p;
	c->count++;
	return 0;
}

struct pending *pending_take(struct mgr_client *c, uint64_t id)
{
	struct pending **pp, *p;

	if (!c->nbuckets)
		return NULL;
	for (pp = &c->table[id & (c->nbuckets - 1)]; *pp; pp = &(*pp)->next) {
		if ((*pp)->id == id) {
			p = *pp;
			*pp = p->next;
			c->count--;
			return p;
		}
	}
	return NULL;
}

struct pending *pending_take_all(struct mgr_client *c)
{
	struct pending *list = NULL, *p;
	size_t i;

	for (i = 0; i < c->nbuckets; i++) {
		while ((p = c->table[i])) {
			c->table[i] = p->next;
			p->next = list;
			list = p;
		}
	}
	c->count = 0;
	return list;
}

void pending_complete(struct mgr_client *c, struct pending *p, struct mgr_reply *r)
{
	if (p->sync) {
		/* The waiter may return as soon as the lock is dropped, and
		 * p is on its stack: nothing touches p after the unlock. */
		pthread_mutex_lock(&c->lock);
		p->reply = *r;
		p->err = r->msg ? 0 : r->err;
		p->done = true;
		if (p->cond)
			pthread_cond_signal(p->cond);
		pthread_mutex_unlock(&c->lock);
		return;
	}
	if (p->cb)
		p->cb(p->arg, r);
	mgr_reply_release(r);
	free(p);
}

void pending_lost(struct mgr_client *c, int err)
{
	struct pending *list, *p;
	bool notify;

	pthread_mutex_lock(&c->lock);
	if (c->closed) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	if (c->closing)
		err = -ECONNABORTED;
	else if (c->server_err)
		err = c->server_err;
	c->closed = true;
	c->close_err = err;
	notify = !c->closing;
	list = pending_take_all(c);
	pthread_mutex_unlock(&c->lock);

	/* Writers blocked on a dead peer fail now, and an exec: command sees
	 * the end of its input. */
	shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_lock(&c->wlock);
	if (!c->werr)
		c->werr = err;
	pthread_cond_broadcast(&c->wspace);
	pthread_mutex_unlock(&c->wlock);
	while ((p = list)) {
		struct mgr_reply r = { .err = err };

		list = p->next;
		pending_complete(c, p, &r);
	}
	if (notify && c->opts.on_close)
		c->opts.on_close(c->opts.arg, err);
}

/* Whether a reply hands out a queue item: its result is a datum alone,
 * {"value": X} or {"bytes": B}, which nothing else answers with (see
 * mgrfs(7)). */
static bool carries_item(yajl_val msg)
{
	yajl_val res = mgr_json_get(msg, "result");

	return YAJL_IS_OBJECT(res) && res->u.object.len == 1 &&
	       (strcmp(res->u.object.keys[0], "value") == 0 ||
		strcmp(res->u.object.keys[0], "bytes") == 0);
}

void pending_handle(struct mgr_client *c, yajl_val msg)
{
	struct mgr_reply r = { .msg = msg };
	yajl_val idv = mgr_json_get(msg, "id");
	const char *name = NULL;
	struct pending *p;
	uint64_t id;

	if (!idv) {
		if (mgr_json_get(msg, "event") && c->opts.on_event)
			c->opts.on_event(c->opts.arg, msg);
		goto drop;
	}
	if (YAJL_IS_NULL(idv)) {
		/* The manager could not tell which request this answers
		 * (a frame too big or not JSON): it is about the connection,
		 * and if the manager hangs up next, this is why. */
		if (mgr_json_get_str(msg, "error", &name) == 0) {
			pthread_mutex_lock(&c->lock);
			c->server_err = cli_reply_errno(name);
			pthread_mutex_unlock(&c->lock);
		}
		goto drop;
	}
	if (mgr_json_get_u64(msg, "id", &id) < 0)
		goto drop;
	/* A reply may carry a queue item that the manager keeps until it
	 * hears that the reply arrived: the next request says so
	 * (io_send_req), after frames_in counts the reply. */
	if (c->ka_ms)
		c->need_ack = true;
	if (carries_item(msg)) {
		if (!c->acking)
			__atomic_store_n(&c->acking, true, __ATOMIC_RELAXED);
		__atomic_store_n(&c->ack_due, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_lock(&c->lock);
	p = pending_take(c, id);
	pthread_mutex_unlock(&c->lock);
	if (!p)
		goto drop;
	if (mgr_json_get_str(msg, "error", &name) == 0) {
		r.err = cli_reply_errno(name);
		mgr_json_get_str(msg, "message", &r.message);
	} else {
		r.result = mgr_json_get(msg, "result");
	}
	pending_complete(c, p, &r);
	return;
drop:
	yajl_tree_free(msg);
}
