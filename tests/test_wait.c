/* Sessions, waiters, the deadline heap and holds (wait.c), on their own:
 * waiters park on a bare object with this file's abort function. */
#include "ops_harness.h"

static struct mgr_obj *obj;
static struct mgr_dlist queue_a, queue_b, holds;

/* What the abort function saw, in order: request id, reason and the
 * deadline the waiter had (kept in arg2 by park_at). */
static struct {
	uint64_t id, deadline;
	int reason;
} aborts[512];
static size_t naborts;

static void test_abort(struct mgr_store *s, struct mgr_waiter *w, int reason)
{
	assert_true(naborts < 512);
	aborts[naborts].id = w->req_id;
	aborts[naborts].deadline = w->arg2;
	aborts[naborts].reason = reason;
	naborts++;
	mgr_waiter_fail(s, w, reason, "aborted by the test");
}

static int wait_setup(void **state)
{
	obj = calloc(1, sizeof(*obj) + 1);
	if (!obj)
		return -1;
	/* A type whose waiters carry no datum and whose holds need no
	 * drop_hold. */
	obj->type = MGR_EVENT;
	mgr_dlist_init(&queue_a);
	mgr_dlist_init(&queue_b);
	mgr_dlist_init(&holds);
	naborts = 0;
	return setup(state);
}

static int wait_teardown(void **state)
{
	int r = teardown(state);

	free(obj);
	return r;
}

static struct mgr_waiter *park_at(int si, uint64_t id, struct mgr_dlist *q, uint64_t deadline,
				  mgr_abort_fn abort)
{
	struct mgr_call c = { .store = store, .sess = &sess[si], .id = id, .owner = 7, .now = now };
	struct mgr_waiter *w = mgr_waiter_park(&c, obj, q, 0, deadline, abort);

	assert_non_null(w);
	assert_ptr_equal(w->sess, &sess[si]);
	assert_int_equal(w->owner, 7);
	w->arg2 = deadline;
	return w;
}

static size_t list_len(const struct mgr_dlist *l)
{
	const struct mgr_dlist *p;
	size_t n = 0;

	for (p = l->next; p != l; p = p->next)
		n++;
	return n;
}

/* Waiters time out in deadline order, each only once its deadline has
 * come, and the next deadline is always the earliest left. */
static void test_deadline_order(void **state)
{
	uint64_t deadlines[300], seed = 12345, min, t;
	size_t i, n, expected;

	for (i = 0; i < 300; i++) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		/* Every tenth waiter has no deadline; ties are common. */
		deadlines[i] = i % 10 == 0 ? 0 : 1 + (seed >> 33) % 1000;
		park_at(i % NSESS, i + 1, &queue_a, deadlines[i], test_abort);
	}
	for (t = 0; t <= 1000; t += 37) {
		mgr_waits_expire(store, t);
		expected = 0;
		min = 0;
		for (i = 0; i < 300; i++) {
			if (deadlines[i] && deadlines[i] <= t)
				expected++;
			else if (deadlines[i] && (!min || deadlines[i] < min))
				min = deadlines[i];
		}
		assert_int_equal(naborts, expected);
		assert_int_equal(mgr_waits_next_deadline(store), min);
	}
	mgr_waits_expire(store, 1000);
	assert_int_equal(naborts, 270);
	for (i = 0; i < naborts; i++) {
		assert_int_equal(aborts[i].reason, -ETIMEDOUT);
		assert_int_equal(aborts[i].deadline, deadlines[aborts[i].id - 1]);
		if (i)
			assert_true(aborts[i - 1].deadline <= aborts[i].deadline);
	}
	assert_int_equal(ndone, 270);
	assert_int_equal(mgr_waits_next_deadline(store), 0);
	assert_int_equal(list_len(&queue_a), 30);

	/* The rest go when their sessions end, without a word. */
	ndone = 0;
	for (n = 0; n < NSESS; n++)
		mgr_session_end(store, &sess[n]);
	assert_int_equal(naborts, 300);
	for (i = 270; i < 300; i++)
		assert_int_equal(aborts[i].reason, -ECANCELED);
	NOTHING_DONE();
	assert_true(mgr_dlist_empty(&queue_a));
}

static void test_requeue(void **state)
{
	struct mgr_waiter *w = park_at(0, 1, &queue_a, 500, test_abort);

	park_at(1, 2, &queue_a, 800, test_abort);
	assert_int_equal(mgr_waits_next_deadline(store), 500);
	/* Moved without a deadline, it no longer times out. */
	mgr_waiter_requeue(store, w, &queue_b, 0);
	assert_int_equal(list_len(&queue_a), 1);
	assert_int_equal(list_len(&queue_b), 1);
	assert_int_equal(mgr_waits_next_deadline(store), 800);
	mgr_waits_expire(store, 700);
	assert_int_equal(naborts, 0);
	/* And given one again, it does. */
	mgr_waiter_requeue(store, w, &queue_b, 300);
	assert_int_equal(mgr_waits_next_deadline(store), 300);
	mgr_waits_expire(store, 300);
	assert_int_equal(naborts, 1);
	assert_int_equal(aborts[0].id, 1);
	DONE_ERR(0, 1, ETIMEDOUT);
	assert_string_equal(msg, "aborted by the test");
	mgr_waits_expire(store, 800);
	DONE_ERR(1, 2, ETIMEDOUT);
}

static void test_done_and_fail(void **state)
{
	struct mgr_waiter *w1 = park_at(0, 1, &queue_a, 0, test_abort);
	struct mgr_waiter *w2 = park_at(1, 2, &queue_a, 100, test_abort);
	yajl_gen g;

	g = mgr_waiter_gen(store);
	assert_int_equal(mgr_json_gen_u64(g, 42), 0);
	mgr_waiter_done(store, w1, g);
	DONE(0, 1, "42");
	/* The generator comes back cleared for the next result. */
	g = mgr_waiter_gen(store);
	assert_int_equal(mgr_json_map_open(g), 0);
	assert_int_equal(mgr_json_kv_bool(g, "ok", true), 0);
	assert_int_equal(mgr_json_map_close(g), 0);
	mgr_waiter_done(store, w2, g);
	DONE(1, 2, "{\"ok\":true}");
	assert_int_equal(mgr_waits_next_deadline(store), 0);
	assert_true(mgr_dlist_empty(&queue_a));

	w1 = park_at(2, 3, &queue_a, 0, test_abort);
	mgr_waiter_fail(store, w1, -EPIPE, "broken");
	DONE_ERR(2, 3, EPIPE);
	assert_string_equal(msg, "broken");
	assert_int_equal(naborts, 0);
}

/* Without an abort function a waiter is failed with the reason. */
static void test_default_abort(void **state)
{
	park_at(0, 1, &queue_a, 50, NULL);
	park_at(0, 2, &queue_a, 0, NULL);
	park_at(0, 3, &queue_a, 0, NULL);
	mgr_waits_expire(store, 50);
	DONE_ERR(0, 1, ETIMEDOUT);
	assert_true(cancel(0, 2));
	DONE_ERR(0, 2, ECANCELED);
	mgr_waiter_abort(store, mgr_waiter_find(&sess[0], 3), -ENOENT);
	DONE_ERR(0, 3, ENOENT);
	assert_true(mgr_dlist_empty(&queue_a));
}

static void test_find(void **state)
{
	struct mgr_waiter *a = park_at(0, 10, &queue_a, 0, test_abort);
	struct mgr_waiter *b = park_at(0, 11, &queue_b, 0, test_abort);

	park_at(1, 10, &queue_a, 0, test_abort);
	assert_ptr_equal(mgr_waiter_find(&sess[0], 10), a);
	assert_ptr_equal(mgr_waiter_find(&sess[0], 11), b);
	assert_null(mgr_waiter_find(&sess[0], 12));
	assert_null(mgr_waiter_find(&sess[2], 10));
	assert_true(mgr_waiter_find(&sess[1], 10) != a);
	mgr_waiter_fail(store, a, -ECANCELED, "gone");
	assert_null(mgr_waiter_find(&sess[0], 10));
	DONE_ERR(0, 10, ECANCELED);
}

/* A put's item belongs to its waiter and goes with it (the leak checker
 * of a sanitizer build sees the rest). */
static void test_item_freed(void **state)
{
	struct mgr_waiter *w;

	obj->type = MGR_QUEUE;
	w = park_at(0, 1, &queue_a, 0, test_abort);
	w->arg.item = mgr_datum_new(MGR_DATUM_JSON, "1", 1);
	assert_non_null(w->arg.item);
	mgr_waiter_fail(store, w, -ECANCELED, "cancelled");
	DONE_ERR(0, 1, ECANCELED);
	park_at(0, 2, &queue_a, 0, test_abort);
	mgr_waiter_fail(store, mgr_waiter_find(&sess[0], 2), -ECANCELED, "cancelled");
	DONE_ERR(0, 2, ECANCELED);
}

static void test_holds(void **state)
{
	struct mgr_hold *a = mgr_hold_new(&holds, obj, &sess[0], 1);
	struct mgr_hold *b = mgr_hold_new(&holds, obj, &sess[0], 2);
	struct mgr_hold *c = mgr_hold_new(&holds, obj, &sess[1], 1);

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_int_equal(a->count, 0);
	assert_ptr_equal(mgr_hold_find(&holds, &sess[0], 1), a);
	assert_ptr_equal(mgr_hold_find(&holds, &sess[0], 2), b);
	assert_ptr_equal(mgr_hold_find(&holds, &sess[1], 1), c);
	assert_null(mgr_hold_find(&holds, &sess[1], 2));
	mgr_hold_free(b);
	mgr_hold_free(NULL);
	assert_null(mgr_hold_find(&holds, &sess[0], 2));
	assert_int_equal(list_len(&holds), 2);
	assert_int_equal(list_len(&sess[0].holds), 1);
	/* A session that ends lets go of its holds; its type has no
	 * drop_hold, so they are simply freed. */
	mgr_session_end(store, &sess[0]);
	assert_true(mgr_dlist_empty(&sess[0].holds));
	assert_int_equal(list_len(&holds), 1);
	assert_ptr_equal(mgr_hold_find(&holds, &sess[1], 1), c);
	mgr_hold_free(c);
	assert_true(mgr_dlist_empty(&holds));
}

/* Ending a session twice, or one that never did anything, is harmless,
 * and a session that ended hears nothing more. */
static void test_session_end_twice(void **state)
{
	struct mgr_waiter *w;

	mgr_session_end(store, &sess[3]);
	mgr_session_end(store, &sess[3]);
	assert_null(sess[3].complete);
	w = park_at(3, 1, &queue_a, 0, test_abort);
	mgr_waiter_fail(store, w, -EIO, "unheard");
	NOTHING_DONE();
}

static void test_clock(void **state)
{
	uint64_t a = mgr_now_ms(), b = mgr_now_ms();

	assert_true(a > 0);
	assert_true(b >= a);
	mgr_waits_free(NULL);
	mgr_waits_free(mgr_waits_new());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deadline_order, wait_setup, wait_teardown),
		cmocka_unit_test_setup_teardown(test_requeue, wait_setup, wait_teardown),
		cmocka_unit_test_setup_teardown(test_done_and_fail, wait_setup, wait_teardown),
		cmocka_unit_test_setup_teardown(test_default_abort, wait_setup, wait_teardown),
		cmocka_unit_test_setup_teardown(test_find, wait_setup, wait_teardown),
		cmocka_unit_test_setup_teardown(test_item_freed, wait_setup, wait_teardown),
		cmocka_unit_test_setup_teardown(test_holds, wait_setup, wait_teardown),
		cmocka_unit_test_setup_teardown(test_session_end_twice, wait_setup, wait_teardown),
		cmocka_unit_test_setup_teardown(test_clock, wait_setup, wait_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
