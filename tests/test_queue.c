/* The queue (queue.c) against Python's queue.Queue and JoinableQueue:
 * Full and Empty, blocking and hand-off order, timeouts, task_done and
 * join, cancellation and session end. */
#include "ops_harness.h"

static void mkqueue(const char *path, int maxsize)
{
	OK(0, "{\"version\":2}", "{'op':'create','path':'%s','type':'queue','maxsize':%d}",
	   path, maxsize);
}

static void test_fifo_full_empty(void **state)
{
	mkqueue("q", 2);
	OK(0, "true", "{'op':'empty','path':'q'}");
	OK(0, "false", "{'op':'full','path':'q'}");
	OK(0, "true", "{'op':'put','path':'q','value':1}");
	OK(0, "true", "{'op':'put','path':'q','value':{'a':[2]}}");
	OK(0, "true", "{'op':'full','path':'q'}");
	OK(0, "2", "{'op':'qsize','path':'q'}");
	OK(0, "2", "{'op':'len','path':'q'}");
	/* Python's Full: put(block=False) and put with a timeout of 0. */
	FAILS(0, EAGAIN, "{'op':'put','path':'q','value':3,'block':false}");
	FAILS(0, ETIMEDOUT, "{'op':'put','path':'q','value':3,'timeout':0}");
	OK(0, "{\"value\":1}", "{'op':'get','path':'q'}");
	OK(0, "{\"value\":{\"a\":[2]}}", "{'op':'get','path':'q','block':true}");
	/* Python's Empty. */
	FAILS(0, EAGAIN, "{'op':'get','path':'q','block':false}");
	FAILS(0, ETIMEDOUT, "{'op':'get','path':'q','timeout':0}");
	OK(0, "0", "{'op':'qsize','path':'q'}");
	OK(0, "true", "{'op':'empty','path':'q'}");
	NOTHING_DONE();
}

static void test_bytes_and_dump(void **state)
{
	mkqueue("q", 0);
	OK(0, "true", "{'op':'put','path':'q','bytes':'AAEC'}");
	OK(0, "true", "{'op':'put','path':'q','value':'x'}");
	OK(0, "{\"$queue\":[{\"$bytes\":\"AAEC\"},\"x\"],\"maxsize\":0}",
	   "{'op':'dump','path':'q'}");
	assert_string_equal(stat_member("q", "size"), "2");
	OK(0, "{\"bytes\":\"AAEC\"}", "{'op':'get','path':'q'}");
}

static void test_bad_arguments(void **state)
{
	FAILS(0, EINVAL, "{'op':'create','path':'q','type':'queue','maxsize':'big'}");
	/* As in Python, a maxsize of zero or less is no limit. */
	OK(0, "{\"version\":2}", "{'op':'create','path':'q','type':'queue','maxsize':-1}");
	assert_string_equal(stat_member("q", "maxsize"), "0");
	FAILS(0, EINVAL, "{'op':'put','path':'q'}");
	FAILS(0, EINVAL, "{'op':'put','path':'q','value':1,'bytes':'AA=='}");
	FAILS(0, EINVAL, "{'op':'put','path':'q','value':1,'timeout':-1}");
	FAILS(0, EINVAL, "{'op':'get','path':'q','block':1}");
	OK(0, "0", "{'op':'qsize','path':'q'}");
	FAILS(0, ENOTSUP, "{'op':'acquire','path':'q'}");
}

/* Parked getters are served oldest first, straight from put. */
static void test_getters_in_order(void **state)
{
	uint64_t v;

	mkqueue("q", 0);
	PARKS(0, 11, "{'op':'get','path':'q'}");
	PARKS(1, 12, "{'op':'get','path':'q'}");
	PARKS(0, 13, "{'op':'get','path':'q','timeout':10}");
	assert_string_equal(stat_member("q", "getters"), "3");
	NOTHING_DONE();
	v = version_of("q");
	OK(2, "true", "{'op':'put','path':'q','value':'a'}");
	DONE(0, 11, "{\"value\":\"a\"}");
	assert_true(version_of("q") > v);
	OK(2, "true", "{'op':'put','path':'q','bytes':'/w=='}");
	DONE(1, 12, "{\"bytes\":\"/w==\"}");
	OK(2, "true", "{'op':'unget','path':'q','value':'c'}");
	DONE(0, 13, "{\"value\":\"c\"}");
	NOTHING_DONE();
	/* Handed-off items never sat in the queue, but put counts them. */
	assert_string_equal(stat_member("q", "qsize"), "0");
	assert_string_equal(stat_member("q", "unfinished"), "2");
	assert_string_equal(stat_member("q", "getters"), "0");
}

/* A get from a full queue lets the oldest parked putter in. */
static void test_putters_in_order(void **state)
{
	mkqueue("q", 1);
	OK(0, "true", "{'op':'put','path':'q','value':'a'}");
	PARKS(1, 21, "{'op':'put','path':'q','value':'b'}");
	PARKS(2, 22, "{'op':'put','path':'q','value':'c','timeout':5}");
	assert_string_equal(stat_member("q", "putters"), "2");
	assert_string_equal(stat_member("q", "unfinished"), "1");
	OK(0, "{\"value\":\"a\"}", "{'op':'get','path':'q'}");
	DONE(1, 21, "true");
	NOTHING_DONE();
	OK(0, "1", "{'op':'qsize','path':'q'}");
	OK(0, "{\"value\":\"b\"}", "{'op':'get','path':'q'}");
	DONE(2, 22, "true");
	OK(0, "{\"value\":\"c\"}", "{'op':'get','path':'q'}");
	assert_string_equal(stat_member("q", "unfinished"), "3");
	assert_string_equal(stat_member("q", "putters"), "0");
	/* The deadline of the served putter went with it. */
	assert_int_equal(mgr_waits_next_deadline(store), 0);
}

static void test_timeouts(void **state)
{
	mkqueue("q", 1);
	PARKS(0, 31, "{'op':'get','path':'q','timeout':0.5}");
	assert_int_equal(mgr_waits_next_deadline(store), 1500);
	mgr_waits_expire(store, 1499);
	NOTHING_DONE();
	mgr_waits_expire(store, 1500);
	DONE_ERR(0, 31, ETIMEDOUT);
	assert_int_equal(mgr_waits_next_deadline(store), 0);
	assert_string_equal(stat_member("q", "getters"), "0");

	OK(0, "true", "{'op':'put','path':'q','value':1}");
	PARKS(1, 32, "{'op':'put','path':'q','value':2,'timeout':2}");
	PARKS(1, 33, "{'op':'put','path':'q','value':3,'timeout':1}");
	mgr_waits_expire(store, 2000);
	DONE_ERR(1, 33, ETIMEDOUT);
	NOTHING_DONE();
	mgr_waits_expire(store, 3000);
	DONE_ERR(1, 32, ETIMEDOUT);
	/* Timed-out puts leave nothing behind. */
	OK(0, "1", "{'op':'qsize','path':'q'}");
	assert_string_equal(stat_member("q", "unfinished"), "1");
	OK(0, "{\"value\":1}", "{'op':'get','path':'q'}");
	FAILS(0, EAGAIN, "{'op':'get','path':'q','block':false}");
}

static void test_task_done_and_join(void **state)
{
	mkqueue("q", 0);
	/* Nothing unfinished: join answers at once. */
	OK(0, "true", "{'op':'join','path':'q'}");
	FAILS(0, EINVAL, "{'op':'task_done','path':'q'}");
	OK(0, "true", "{'op':'put','path':'q','value':1}");
	OK(0, "true", "{'op':'put','path':'q','value':2}");
	PARKS(1, 41, "{'op':'join','path':'q'}");
	PARKS(2, 42, "{'op':'join','path':'q','timeout':1}");
	FAILS(1, EAGAIN, "{'op':'join','path':'q','block':false}");
	mgr_waits_expire(store, 2000);
	DONE_ERR(2, 42, ETIMEDOUT);
	OK(0, "{\"value\":1}", "{'op':'get','path':'q'}");
	OK(0, "true", "{'op':'task_done','path':'q'}");
	NOTHING_DONE();
	OK(0, "{\"value\":2}", "{'op':'get','path':'q'}");
	OK(0, "true", "{'op':'task_done','path':'q'}");
	DONE(1, 41, "true");
	/* One task_done more than items put is Python's ValueError. */
	FAILS(0, EINVAL, "{'op':'task_done','path':'q'}");
	assert_non_null(strstr(msg, "too many"));
	assert_string_equal(stat_member("q", "unfinished"), "0");
}

/* unget puts an item back at the head, past maxsize, without counting a
 * new task. */
static void test_unget(void **state)
{
	mkqueue("q", 1);
	OK(0, "true", "{'op':'put','path':'q','value':'b'}");
	OK(0, "true", "{'op':'unget','path':'q','value':'a'}");
	OK(0, "2", "{'op':'qsize','path':'q'}");
	assert_string_equal(stat_member("q", "unfinished"), "1");
	OK(0, "{\"value\":\"a\"}", "{'op':'get','path':'q'}");
	OK(0, "{\"value\":\"b\"}", "{'op':'get','path':'q'}");
	FAILS(0, EINVAL, "{'op':'unget','path':'q'}");
}

/* put_many puts what there is room for, the oldest getters first, and
 * never waits; a bad item puts none. */
static void test_put_many(void **state)
{
	mkqueue("q", 3);
	PARKS(1, 81, "{'op':'get','path':'q'}");
	OK(0, "4", "{'op':'put_many','path':'q','items':[{'value':1},{'bytes':'/w=='},"
		   "{'value':'c'},{'value':[4]},{'value':5},{'value':6}]}");
	DONE(1, 81, "{\"value\":1}");
	NOTHING_DONE();
	OK(0, "3", "{'op':'qsize','path':'q'}");
	assert_string_equal(stat_member("q", "unfinished"), "4");
	OK(0, "0", "{'op':'put_many','path':'q','items':[{'value':7}]}");
	OK(0, "0", "{'op':'put_many','path':'q','items':[]}");
	OK(0, "{\"bytes\":\"/w==\"}", "{'op':'get','path':'q'}");
	FAILS(0, EINVAL, "{'op':'put_many','path':'q','items':[{'value':8},{'x':9}]}");
	FAILS(0, EINVAL, "{'op':'put_many','path':'q','items':[{'value':8},{'bytes':'!'}]}");
	FAILS(0, EINVAL, "{'op':'put_many','path':'q','items':{'value':8}}");
	FAILS(0, EINVAL, "{'op':'put_many','path':'q'}");
	OK(0, "2", "{'op':'qsize','path':'q'}");
	OK(0, "1", "{'op':'put_many','path':'q','items':[{'value':8},{'value':9}]}");
	OK(0, "{\"value\":\"c\"}", "{'op':'get','path':'q'}");
	OK(0, "{\"value\":[4]}", "{'op':'get','path':'q'}");
	OK(0, "{\"value\":8}", "{'op':'get','path':'q'}");
	OK(0, "true", "{'op':'empty','path':'q'}");
}

/* A cancelled get takes nothing: the next item stays for the next get. */
static void test_cancel_get(void **state)
{
	mkqueue("q", 0);
	PARKS(0, 51, "{'op':'get','path':'q','timeout':30}");
	PARKS(1, 52, "{'op':'get','path':'q'}");
	assert_true(cancel(0, 51));
	DONE_ERR(0, 51, ECANCELED);
	assert_false(cancel(0, 51));
	assert_int_equal(mgr_waits_next_deadline(store), 0);
	assert_true(cancel(1, 52));
	DONE_ERR(1, 52, ECANCELED);
	OK(2, "true", "{'op':'put','path':'q','value':'kept'}");
	NOTHING_DONE();
	OK(0, "1", "{'op':'qsize','path':'q'}");
	OK(2, "{\"value\":\"kept\"}", "{'op':'get','path':'q'}");
}

/* A session that ends takes its parked calls with it, silently. */
static void test_session_end(void **state)
{
	mkqueue("q", 1);
	OK(0, "true", "{'op':'put','path':'q','value':'a'}");
	PARKS(1, 61, "{'op':'put','path':'q','value':'lost'}");
	PARKS(2, 62, "{'op':'put','path':'q','value':'b'}");
	PARKS(1, 63, "{'op':'join','path':'q','timeout':9}");
	mgr_session_end(store, &sess[1]);
	NOTHING_DONE();
	assert_int_equal(mgr_waits_next_deadline(store), 0);
	assert_string_equal(stat_member("q", "putters"), "1");
	assert_string_equal(stat_member("q", "joiners"), "0");
	OK(0, "{\"value\":\"a\"}", "{'op':'get','path':'q'}");
	DONE(2, 62, "true");
	OK(0, "{\"value\":\"b\"}", "{'op':'get','path':'q'}");
	FAILS(0, EAGAIN, "{'op':'get','path':'q','block':false}");
}

static void test_delete_fails_waiters(void **state)
{
	mkqueue("q", 1);
	OK(0, "true", "{'op':'put','path':'q','value':'a'}");
	PARKS(1, 71, "{'op':'put','path':'q','value':'b','timeout':3}");
	PARKS(2, 72, "{'op':'join','path':'q'}");
	OK(0, "true", "{'op':'delete','path':'q'}");
	DONE_ERR(1, 71, ENOENT);
	DONE_ERR(2, 72, ENOENT);
	assert_int_equal(mgr_waits_next_deadline(store), 0);
	FAILS(0, ENOENT, "{'op':'get','path':'q'}");
}

/* A thousand items through a small ring, with gets in between, come out
 * in order. */
static void test_many_items(void **state)
{
	char expect[64];
	int i, got = 0;

	mkqueue("q", 0);
	for (i = 0; i < 1000; i++) {
		OK(0, "true", "{'op':'put','path':'q','value':%d}", i);
		if (i % 3 == 0) {
			snprintf(expect, sizeof(expect), "{\"value\":%d}", got++);
			OK(0, expect, "{'op':'get','path':'q'}");
		}
	}
	while (got < 1000) {
		snprintf(expect, sizeof(expect), "{\"value\":%d}", got++);
		OK(0, expect, "{'op':'get','path':'q'}");
	}
	OK(0, "true", "{'op':'empty','path':'q'}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fifo_full_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bytes_and_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getters_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_putters_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_done_and_join, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_fails_waiters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_items, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
