/* The threaded client's reconnecting, against a real mgrd (named by $MGRD)
 * that is killed, frozen and started again on the same socket: calls fail
 * with ENOTCONN while the link is down, on_link hears it go and come back,
 * a subscription made again from on_link works, and with
 * MGR_CLIENT_WAIT_LINK a call made meanwhile waits for the new link. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "client.h"
#include "fixture_mgrd.h"
#include "json.h"

static char addr[PATH_MAX + 8];

/* What the callbacks saw, under m. */
struct seen {
	pthread_mutex_t m;
	pthread_cond_t cv;
	struct mgr_client *c;
	int downs, ups, last_err;
	int subscribed, events;
};

static void on_sub(void *arg, struct mgr_reply *r)
{
	struct seen *s = arg;

	pthread_mutex_lock(&s->m);
	if (!r->err)
		s->subscribed++;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->m);
}

static int subscribe_async(struct seen *s)
{
	struct mgr_req r;
	int err;

	err = mgr_req_init(&r, "subscribe", NULL);
	if (err == 0)
		err = mgr_json_kv_str(r.g, "path", "");
	if (err == 0)
		err = mgr_client_call_async(s->c, &r, on_sub, s, NULL);
	mgr_req_release(&r);
	return err;
}

/* A new link is a new session: subscribe again, as mgrfs does. */
static void on_link(void *arg, int err)
{
	struct seen *s = arg;

	pthread_mutex_lock(&s->m);
	if (err < 0) {
		s->downs++;
		s->last_err = err;
	} else {
		s->ups++;
	}
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->m);
	if (err == 0 && s->c)
		assert_int_equal(subscribe_async(s), 0);
}

static void on_event(void *arg, yajl_val ev)
{
	struct seen *s = arg;

	pthread_mutex_lock(&s->m);
	s->events++;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->m);
}

/* Wait until *counter reaches want, for at most HANG_MS. */
static void wait_count(struct seen *s, const int *counter, int want, const char *what)
{
	struct timespec until;
	bool ok = true;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += HANG_MS / 1000;
	pthread_mutex_lock(&s->m);
	while (*counter < want && ok)
		ok = pthread_cond_timedwait(&s->cv, &s->m, &until) == 0;
	ok = *counter >= want;
	pthread_mutex_unlock(&s->m);
	if (!ok)
		fail_msg("%s: not within %d ms", what, HANG_MS);
}

static void seen_init(struct seen *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->m, NULL);
	pthread_cond_init(&s->cv, NULL);
}

static struct mgr_client *connect_seen(struct seen *s, int flags)
{
	struct mgr_client_opts o = {
		.flags = MGR_CLIENT_THREAD | MGR_CLIENT_RECONNECT | flags,
		.on_link = on_link,
		.on_event = on_event,
		.arg = s,
		.keepalive = 1,
	};
	struct mgr_client *c = NULL;
	char *msg = NULL;

	if (mgr_client_connect(addr, &o, &c, &msg) < 0)
		fail_msg("connect %s: %s", addr, msg ? msg : "?");
	s->c = c;
	return c;
}

/* A call's outcome: -errno for the connection, else the reply's err. */
static int call(struct mgr_client *c, const char *op, const char *path, const char *value)
{
	struct mgr_reply rep;
	struct mgr_req r;
	int err;

	err = mgr_req_init(&r, op, path);
	if (err == 0 && value)
		err = mgr_json_kv_str(r.g, "value", value);
	if (err == 0)
		err = mgr_client_call(c, &r, &rep);
	mgr_req_release(&r);
	if (err == 0) {
		err = rep.err;
		mgr_reply_release(&rep);
	}
	return err;
}

static void test_kill_and_restart(void **state)
{
	struct mgr_client *c;
	struct seen s;
	pid_t pid;

	seen_init(&s);
	pid = mgrd_start(addr, NULL);
	c = connect_seen(&s, 0);
	assert_int_equal(subscribe_async(&s), 0);
	wait_count(&s, &s.subscribed, 1, "the first subscription");
	assert_int_equal(call(c, "ping", NULL, NULL), 0);

	mgrd_kill(pid);
	wait_count(&s, &s.downs, 1, "on_link hears the link go down");
	assert_true(s.last_err < 0);
	/* Down: calls fail at once rather than wait. */
	assert_int_equal(call(c, "ping", NULL, NULL), -ENOTCONN);
	assert_int_equal(call(c, "set", "x", "1"), -ENOTCONN);

	pid = mgrd_start(addr, NULL);
	wait_count(&s, &s.ups, 1, "on_link hears the link come back");
	wait_count(&s, &s.subscribed, 2, "on_link subscribes again");
	assert_int_equal(call(c, "ping", NULL, NULL), 0);
	assert_int_equal(call(c, "set", "x", "2"), 0);
	wait_count(&s, &s.events, 1, "an event through the new subscription");

	/* A frozen manager keeps the socket open: only the keepalive tells
	 * that the link is dead. */
	kill(pid, SIGSTOP);
	wait_count(&s, &s.downs, 2, "the keepalive declares a frozen manager's link dead");
	assert_int_equal(s.last_err, -ETIMEDOUT);
	assert_int_equal(call(c, "ping", NULL, NULL), -ENOTCONN);
	kill(pid, SIGCONT);
	wait_count(&s, &s.ups, 2, "the link comes back once the manager runs");
	assert_int_equal(call(c, "ping", NULL, NULL), 0);

	mgr_client_free(c);
	mgrd_kill(pid);
}

struct waiting_call {
	struct mgr_client *c;
	int result;
};

static void *call_thread(void *arg)
{
	struct waiting_call *w = arg;

	w->result = call(w->c, "ping", NULL, NULL);
	return NULL;
}

static void test_wait_link(void **state)
{
	struct waiting_call w;
	struct mgr_client *c;
	struct seen s;
	pthread_t t;
	pid_t pid;

	seen_init(&s);
	pid = mgrd_start(addr, NULL);
	c = connect_seen(&s, MGR_CLIENT_WAIT_LINK);
	mgrd_kill(pid);
	wait_count(&s, &s.downs, 1, "the link goes down");
	/* The call waits for the link rather than failing. */
	w.c = c;
	w.result = 1;
	assert_int_equal(pthread_create(&t, NULL, call_thread, &w), 0);
	pid = mgrd_start(addr, NULL);
	pthread_join(t, NULL);
	assert_int_equal(w.result, 0);
	assert_true(s.ups >= 1);
	mgr_client_free(c);
	mgrd_kill(pid);
}

static void test_free_while_down(void **state)
{
	struct mgr_client *c;
	struct seen s;
	pid_t pid;

	seen_init(&s);
	pid = mgrd_start(addr, NULL);
	c = connect_seen(&s, MGR_CLIENT_WAIT_LINK);
	mgrd_kill(pid);
	wait_count(&s, &s.downs, 1, "the link goes down");
	/* Returns, although the manager never comes back. */
	mgr_client_free(c);
}

static void test_needs_thread(void **state)
{
	struct mgr_client_opts o = { .flags = MGR_CLIENT_RECONNECT };
	struct mgr_client *c = NULL;
	char *msg = NULL;

	assert_int_equal(mgr_client_connect(addr, &o, &c, &msg), -EINVAL);
	assert_null(c);
	assert_non_null(msg);
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs_thread),
		cmocka_unit_test(test_kill_and_restart),
		cmocka_unit_test(test_wait_link),
		cmocka_unit_test(test_free_while_down),
	};
	int r = mgrd_fixture_init("test_client_reconnect");

	if (r)
		return r;
	mgrd_fixture_addr(addr, sizeof(addr), "sock");
	r = cmocka_run_group_tests(tests, NULL, NULL);
	if (mgrd_fixture_cleanup() < 0)
		r = 1;
	return r;
}
