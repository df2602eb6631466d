#include "keepalive.h"

#include <errno.h>

#include "io.h"
#include "json.h"
#include "proto.h"

int ka_send_ack(struct mgr_client *c)
{
	int r = -ENOMEM;

	c->need_ack = false;
	if (yajl_gen_map_open(c->ackgen) == yajl_gen_status_ok &&
	    mgr_json_kv_u64(c->ackgen, "ack", c->frames_in) == 0 &&
	    yajl_gen_map_close(c->ackgen) == yajl_gen_status_ok)
		r = io_send_gen(c, c->ackgen);
	yajl_gen_clear(c->ackgen);
	yajl_gen_reset(c->ackgen, NULL);
	return r;
}

int ka_send_last_ack(struct mgr_client *c)
{
	yajl_gen g = mgr_json_gen_new();
	int r = -ENOMEM;

	if (g && yajl_gen_map_open(g) == yajl_gen_status_ok &&
	    mgr_json_kv_u64(g, "ack", __atomic_load_n(&c->frames_in, __ATOMIC_RELAXED)) == 0 &&
	    yajl_gen_map_close(g) == yajl_gen_status_ok)
		r = io_send_gen(c, g);
	if (g)
		yajl_gen_free(g);
	return r;
}

static int send_ping(struct mgr_client *c)
{
	struct mgr_req r;
	int err;

	err = mgr_req_init(&r, "ping", NULL);
	if (err == 0)
		err = mgr_client_call_async(c, &r, NULL, NULL, NULL);
	mgr_req_release(&r);
	return err;
}

int ka_duty(struct mgr_client *c)
{
	uint64_t now = cli_now_ms(), sent, ka = c->ka_ms, due;
	int r;

	if (c->need_ack) {
		r = ka_send_ack(c);
		if (r < 0)
			return r;
	}
	if (now >= c->last_recv + MGR_KEEPALIVE_MISSES * ka)
		return -ETIMEDOUT;
	pthread_mutex_lock(&c->wlock);
	sent = c->last_sent;
	pthread_mutex_unlock(&c->wlock);
	/* Pinging on a silent manager too gets an answer through, so that a
	 * client whose calls all wait is not taken for dead. */
	if (now >= sent + ka || (now >= c->last_recv + ka && now >= c->last_ping + ka)) {
		r = send_ping(c);
		if (r < 0)
			return r;
		c->last_ping = sent = now;
	}
	due = c->last_recv + MGR_KEEPALIVE_MISSES * ka;
	if (sent + ka < due)
		due = sent + ka;
	if (c->last_recv + ka > now && c->last_recv + ka < due)
		due = c->last_recv + ka;
	if (c->last_ping + ka > now && c->last_ping + ka < due)
		due = c->last_ping + ka;
	c->ka_due = due;
	return 0;
}
